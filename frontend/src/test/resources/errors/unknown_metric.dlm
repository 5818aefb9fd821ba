model m {
  input x: [4]
  output p = x -> dense(1, activation=sigmoid)
  train {
    target y: [1]
    loss = binary_cross_entropy(p, y)
    metrics = [accuracy, acc]
  }
}
