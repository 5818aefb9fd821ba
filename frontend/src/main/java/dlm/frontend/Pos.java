package dlm.frontend;

/** A source position: 1-based line and column (a tab counts as one column). */
public record Pos(int line, int col) {
    @Override public String toString() { return line + ":" + col; }
}
