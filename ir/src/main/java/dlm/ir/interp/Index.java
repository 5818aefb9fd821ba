package dlm.ir.interp;

import java.util.Arrays;

/** Index arithmetic on concrete shapes shared by the kernels. */
final class Index {
    private Index() {}

    static void requireSame(String op, int[] a, int[] b) {
        if (!Arrays.equals(a, b))
            throw new IllegalArgumentException(op + ": shapes differ: " + Arrays.toString(a) + " and " + Arrays.toString(b));
    }

    static int[] broadcast(int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.length ? 1 : a[i - (r - a.length)];
            int db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1)
                throw new IllegalArgumentException("cannot broadcast " + Arrays.toString(a) + " with " + Arrays.toString(b));
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Strides of x read at an index of out: 0 along broadcast (size-1 or missing) axes. */
    static int[] broadcastStrides(int[] x, int[] out) {
        int[] s = Tensor.strides(x);
        int[] r = new int[out.length];
        int shift = out.length - x.length;
        for (int i = 0; i < x.length; i++) r[i + shift] = x[i] == 1 && out[i + shift] != 1 ? 0 : s[i];
        return r;
    }

    static int offset(int[] idx, int[] strides) {
        int o = 0;
        for (int i = 0; i < idx.length; i++) o += idx[i] * strides[i];
        return o;
    }

    /** Normalizes a possibly negative axis. */
    static int axis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
        return a;
    }
}
