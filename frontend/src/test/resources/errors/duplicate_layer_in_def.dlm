def block(x) {
  return x -> dense(8, name=fc)
}

model m {
  input x: [4]
  h = x -> block
  output y = h -> block
}
