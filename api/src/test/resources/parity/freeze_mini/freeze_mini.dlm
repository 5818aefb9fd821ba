# Test-only model for the PyTorch parity fixtures (not an example): freezing by name and by
# prefix, a frozen batchnorm (running statistics in training) before trainable layers, and a
# gradient that flows through frozen layers to a trainable stem with stride-2 'same' padding.
def unit(x, c) {
  return x -> batchnorm -> relu -> conv2d(c, 3, pad=same, bias=false)
}

model freeze_mini {
  input image: [3, 9, 9]
  h = image -> conv2d(8, 3, stride=2, pad=same, bias=false, name=stem) -> batchnorm -> relu
  h = h -> unit(8, name=blk1) -> unit(8, name=blk2)
  output logits = h -> global_avg_pool -> dense(4, name=head)

  train {
    target label: class(4)
    loss = cross_entropy(logits, label)
    optimizer = sgd(lr=0.1)
    freeze = [batchnorm_1, blk1*]
  }
}
