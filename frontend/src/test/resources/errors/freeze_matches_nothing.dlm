model m {
  input x: [4]
  h = x -> dense(8, name=body)
  output p = h -> dense(1, activation=sigmoid, name=head)
  train {
    target y: [1]
    loss = binary_cross_entropy(p, y)
    freeze = [bdy]
  }
}
