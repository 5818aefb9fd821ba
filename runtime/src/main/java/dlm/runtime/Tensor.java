package dlm.runtime;

import java.util.Arrays;

/**
 * A dense row-major float tensor. The data array is exposed on purpose: compiled code and
 * the trainer read and write it directly to avoid copies. Integer tensors (class ids, token
 * ids) hold exact float values. equals/hashCode compare shape and contents.
 */
public final class Tensor {
    private final float[] data;
    private final int[] shape;

    private Tensor(float[] data, int[] shape) {
        this.data = data;
        this.shape = shape;
    }

    /** Wraps {@code data} (not copied) with the given shape; sizes must agree. */
    public static Tensor of(float[] data, int... shape) {
        int[] s = shape.clone();
        long n = checkedNumel(s);
        if (n != data.length)
            throw new IllegalArgumentException("shape " + Arrays.toString(s) + " holds " + n
                    + " elements but data has " + data.length);
        return new Tensor(data, s);
    }

    public static Tensor zeros(int... shape) {
        int[] s = shape.clone();
        long n = checkedNumel(s);
        if (n > Integer.MAX_VALUE - 8)
            throw new DlmException("tensor of shape " + Arrays.toString(s) + " is too large (" + n + " elements)");
        return new Tensor(new float[(int) n], s);
    }

    public static Tensor scalar(float v) {
        return new Tensor(new float[]{v}, new int[0]);
    }

    /** A 1-D tensor. */
    public static Tensor vector(float... v) {
        return new Tensor(v, new int[]{v.length});
    }

    /** A 2-D tensor from rows of equal length (copied). */
    public static Tensor matrix(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] d = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) throw new IllegalArgumentException("ragged rows");
            System.arraycopy(rows[i], 0, d, i * cols, cols);
        }
        return new Tensor(d, new int[]{rows.length, cols});
    }

    private static long checkedNumel(int[] s) {
        long n = 1;
        for (int d : s) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(s));
            n *= d;
        }
        return n;
    }

    public float[] data() {
        return data;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    public int numel() {
        return data.length;
    }

    /** Elements per index of axis 0 (1 for a scalar). */
    public int sampleSize() {
        if (shape.length == 0) return 1;
        return shape[0] == 0 ? (int) checkedNumel(Arrays.copyOfRange(shape, 1, shape.length)) : data.length / shape[0];
    }

    /** The same data under another shape; one dimension may be -1 (inferred). */
    public Tensor reshape(int... newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("only one -1 allowed in " + Arrays.toString(s));
                infer = i;
            } else known *= s[i];
        }
        if (infer >= 0) {
            if (known == 0 || data.length % known != 0)
                throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(s));
            s[infer] = (int) (data.length / known);
        }
        return of(data, s);
    }

    public float get(int... idx) {
        return data[offset(idx)];
    }

    public void set(float v, int... idx) {
        data[offset(idx)] = v;
    }

    /** The single value of a scalar or one-element tensor. */
    public float item() {
        if (data.length != 1) throw new IllegalStateException("item() on a tensor of shape " + Arrays.toString(shape));
        return data[0];
    }

    private int offset(int[] idx) {
        if (idx.length != shape.length)
            throw new IndexOutOfBoundsException(idx.length + " indices for shape " + Arrays.toString(shape));
        int off = 0;
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= shape[i])
                throw new IndexOutOfBoundsException("index " + Arrays.toString(idx) + " out of shape " + Arrays.toString(shape));
            off = off * shape[i] + idx[i];
        }
        return off;
    }

    /** Copies rows {@code from..to} (exclusive) of axis 0 into a new tensor. */
    public Tensor slice(int from, int to) {
        if (shape.length == 0) throw new IllegalArgumentException("slice of a scalar");
        if (from < 0 || to > shape[0] || from > to)
            throw new IndexOutOfBoundsException("slice " + from + ".." + to + " of axis of size " + shape[0]);
        int ss = sampleSize();
        int[] s = shape.clone();
        s[0] = to - from;
        return new Tensor(Arrays.copyOfRange(data, from * ss, to * ss), s);
    }

    /** Gathers the rows {@code idx} of axis 0 into a new tensor. */
    public Tensor rows(int[] idx) {
        int[] s = shape.clone();
        s[0] = idx.length;
        Tensor out = new Tensor(new float[idx.length * sampleSize()], s);
        return rows(idx, 0, idx.length, out);
    }

    /**
     * Gathers rows {@code idx[from..to)} of axis 0 into {@code out}, whose axis 0 must be
     * {@code to - from} and whose other axes match. Used for batching without allocation.
     */
    public Tensor rows(int[] idx, int from, int to, Tensor out) {
        int ss = sampleSize();
        int n = to - from;
        if (out.shape.length != shape.length || out.shape[0] != n || out.sampleSize() != ss)
            throw new IllegalArgumentException("cannot gather " + n + " rows of " + Arrays.toString(shape)
                    + " into " + Arrays.toString(out.shape));
        for (int i = 0; i < n; i++) {
            int r = idx[from + i];
            if (r < 0 || r >= shape[0]) throw new IndexOutOfBoundsException("row " + r + " of " + shape[0]);
            System.arraycopy(data, r * ss, out.data, i * ss, ss);
        }
        return out;
    }

    public Tensor copy() {
        return new Tensor(data.clone(), shape);
    }

    public boolean allClose(Tensor o, float atol, float rtol) {
        if (!Arrays.equals(shape, o.shape)) return false;
        for (int i = 0; i < data.length; i++) {
            float a = data[i], b = o.data[i];
            if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b)) && !(Float.isNaN(a) && Float.isNaN(b))) return false;
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    private static final int SHOW = 6;

    /** {@code Tensor[2, 3] [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]}, eliding the middle of long axes. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(Arrays.toString(shape)).append(' ');
        if (shape.length == 0) return sb.append(data[0]).toString();
        append(sb, 0, 0);
        return sb.toString();
    }

    private void append(StringBuilder sb, int axis, int base) {
        int n = shape[axis];
        int stride = 1;
        for (int i = axis + 1; i < shape.length; i++) stride *= shape[i];
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (n > SHOW && i == SHOW / 2) {
                sb.append("...");
                i = n - SHOW / 2 - 1;
                if (i + 1 < n) sb.append(", ");
                continue;
            }
            if (axis == shape.length - 1) sb.append(data[base + i]);
            else append(sb, axis + 1, base + i * stride);
            if (i < n - 1) sb.append(", ");
        }
        sb.append(']');
    }
}
