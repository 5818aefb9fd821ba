model m {
  input x: [4]
  h = x -> dense(4)
}
