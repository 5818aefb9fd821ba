# the message of LANGUAGE.md's Errors section
model tumor {
  input x: [30]
  h = x -> conv2d(8, 3)
  output p = h -> dense(1, activation=sigmoid)
}
