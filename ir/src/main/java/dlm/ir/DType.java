package dlm.ir;

/** Element type of a tensor value. Integer tensors carry class ids and token ids. */
public enum DType {
    F32, I32;

    public String text() { return name().toLowerCase(); }
}
