def block(x, c) {
  return x -> dense(c, activation=relu)
}

model m {
  input x: [4]
  output y = x -> block(8, 16)
}
