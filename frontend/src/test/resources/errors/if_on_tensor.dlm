model m {
  input x: [4]
  h = x -> dense(4)
  if h {
    h = h -> relu
  }
  output y = h
}
