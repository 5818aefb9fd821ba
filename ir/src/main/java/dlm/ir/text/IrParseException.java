package dlm.ir.text;

/** A syntax or typing error in textual IR, located by 1-based line and column. */
public final class IrParseException extends IllegalArgumentException {
    private final int line, column;

    public IrParseException(int line, int column, String message) {
        super(line + ":" + column + ": " + message);
        this.line = line;
        this.column = column;
    }

    public int line() { return line; }
    public int column() { return column; }
}
