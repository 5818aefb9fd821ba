model m {
  input x: [4]
  output p = x -> dense(1, activation=sigmoid)
  train {
    target y: [1]
    optimizer = adam(lr=1e-3)
  }
}
