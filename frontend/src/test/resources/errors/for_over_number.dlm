model m {
  input x: [4]
  h = x
  for i in 3 {
    h = h -> dense(4)
  }
  output y = h
}
