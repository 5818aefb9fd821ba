def block(x) {
  h = x -> dense(4)
}

model m {
  input x: [4]
  output y = x -> block
}
