package dlm.ir;

/** The type of an IR value: element type and static shape. Printed as {@code f32[N, 30]}. */
public record Type(DType dtype, Shape shape) {
    public static Type f32(Shape s) { return new Type(DType.F32, s); }
    public static Type f32(int... dims) { return new Type(DType.F32, Shape.of(dims)); }

    public Type withShape(Shape s) { return new Type(dtype, s); }

    @Override public String toString() { return dtype.text() + shape; }
}
