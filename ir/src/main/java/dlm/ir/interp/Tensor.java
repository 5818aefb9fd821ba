package dlm.ir.interp;

import java.util.Arrays;

/**
 * A concrete tensor for the interpreter: resolved dimensions (no symbolic batch) and row-major
 * doubles. Integer tensors (class ids, token ids) hold exact integral doubles.
 */
public record Tensor(int[] shape, double[] data) {
    public Tensor {
        if (numel(shape) != data.length)
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " needs " + numel(shape) + " values, got " + data.length);
    }

    public static Tensor zeros(int... shape) { return new Tensor(shape.clone(), new double[numel(shape)]); }

    public int rank() { return shape.length; }
    public int dim(int i) { return shape[i]; }
    public int size() { return data.length; }

    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large for the interpreter: " + Arrays.toString(shape));
        return (int) n;
    }

    /** Row-major strides. */
    public static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }

    /** The multi-index of a flat row-major offset. */
    public static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int i = shape.length - 1; i >= 0; i--) {
            idx[i] = flat % shape[i];
            flat /= shape[i];
        }
        return idx;
    }

    /** Product of dims in [from, to). */
    public static int prod(int[] shape, int from, int to) {
        int n = 1;
        for (int i = from; i < to; i++) n *= shape[i];
        return n;
    }

    @Override public String toString() { return "Tensor" + Arrays.toString(shape) + Arrays.toString(data); }
}
