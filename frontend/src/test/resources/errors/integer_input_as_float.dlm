model m {
  input tokens: i32[16]
  output y = tokens -> dense(8)
}
