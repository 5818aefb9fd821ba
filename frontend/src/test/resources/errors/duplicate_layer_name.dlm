model m {
  input x: [4]
  h = x -> dense(8, name=fc)
  output y = h -> dense(2, name=fc)
}
