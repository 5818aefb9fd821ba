model m {
  input x: [4]
  logits = x -> dense(3)
  output logit
}
