model m {
  input image: [3, 32, 32]
  h = image -> conv3d(8, 3)
  output y = h
}
