model m {
  input x:
  output y = x -> dense(2)
}
