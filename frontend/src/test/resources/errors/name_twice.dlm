def block(x) {
  return x -> dense(8)
}

model m {
  input x: [4]
  output y = x -> block(name=a, name=b)
}
