# Test-only model for the PyTorch parity fixtures (not an example): ops and options that the
# examples do not use.
model ops_mini {
  input image: [2, 8, 8]
  a = image -> conv2d(4, 3, pad=same, dilation=2, activation=gelu)
  b = image -> conv2d(4, 3, pad=1, groups=2, activation=leaky_relu)
  h = concat(a, b, axis=channel) -> avgpool(2)
  h = h -> conv_transpose2d(6, 3, stride=2, pad=1)
  h = h -> upsample(2, mode=bilinear)
  h = h -> avgpool(3, stride=2, pad=same)
  h = h -> maxpool(2, pad=same)
  f = h -> flatten -> dense(16) -> layernorm -> tanh
  output z = f -> dense(3, name=head)
  output s = log_softmax(z)

  train {
    target y: [3]
    loss = binary_cross_entropy_with_logits(z, y) + mse(sigmoid(z), y)
    optimizer = adam(lr=1e-3)
  }
}
