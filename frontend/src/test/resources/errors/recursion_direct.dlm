def tower(x, n) {
  return x -> dense(n) -> tower(n)
}

model m {
  input x: [4]
  output y = x -> tower(3)
}
