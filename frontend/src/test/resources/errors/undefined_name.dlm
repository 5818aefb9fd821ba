model m {
  input x: [4]
  hidden = x -> dense(8, activation=relu)
  output y = hiden -> dense(1)
}
