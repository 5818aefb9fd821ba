model m {
  input x: [4]
  output y = x -> dense(2.5)
}
