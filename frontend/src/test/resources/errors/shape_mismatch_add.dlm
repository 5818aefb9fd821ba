model m {
  input image: [3, 32, 32]
  a = image -> conv2d(16, 3, pad=same)
  b = image -> conv2d(8, 3, pad=same)
  output y = a + b
}
