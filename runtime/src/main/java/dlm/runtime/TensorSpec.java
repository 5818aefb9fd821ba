package dlm.runtime;

import java.util.Arrays;

/**
 * One named input, target or output of a model. {@code sampleShape} excludes the batch axis.
 * {@code integer} marks tensors that carry ids (class ids, token ids); they are still stored
 * as exact floats in {@link Tensor}.
 */
public record TensorSpec(String name, boolean integer, int[] sampleShape) {
    public TensorSpec {
        sampleShape = sampleShape.clone();
    }

    @Override
    public int[] sampleShape() {
        return sampleShape.clone();
    }

    /** Number of elements in one sample. */
    public int sampleSize() {
        int n = 1;
        for (int d : sampleShape) n *= d;
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && t.integer == integer
                && Arrays.equals(t.sampleShape, sampleShape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(sampleShape) + (integer ? 1 : 0);
    }

    @Override
    public String toString() {
        return name + ": " + (integer ? "i32" : "") + Arrays.toString(sampleShape);
    }
}
