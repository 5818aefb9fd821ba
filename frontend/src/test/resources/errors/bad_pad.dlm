model m {
  input image: [3, 32, 32]
  output y = image -> conv2d(8, 3, pad=full)
}
