package dlm.ir;

/** An SSA value: produced by exactly one node of a graph. Printed as {@code %id}. */
public record Value(int id, Type type) {
    public Shape shape() { return type.shape(); }
    public DType dtype() { return type.dtype(); }
    @Override public String toString() { return "%" + id; }
}
