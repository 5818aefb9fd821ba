model m {
  input x: [4]
  output logits = x -> dense(5)
  train {
    target label: class(10)
    loss = cross_entropy(logits, label)
  }
}
