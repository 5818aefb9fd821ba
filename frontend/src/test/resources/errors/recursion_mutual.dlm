def ping(x) {
  return x -> dense(4) -> pong
}

def pong(x) {
  return x -> relu -> ping
}

model m {
  input x: [4]
  output y = x -> ping
}
