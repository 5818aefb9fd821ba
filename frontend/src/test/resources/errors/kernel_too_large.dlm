model m {
  input image: [1, 4, 4]
  output y = image -> conv2d(8, 5)
}
