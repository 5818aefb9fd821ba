model m {
  input x: [4]
  input t: [1]
  p = x -> dense(1)
  output l = mse(p, t)
}
