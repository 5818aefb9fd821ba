package dlm.ir.interp;

import java.util.Arrays;
import java.util.List;

/** Data movement and lookup: transpose, concat, slice, embedding, one_hot. */
final class Movement {
    private Movement() {}

    static Tensor reshape(Tensor x, int[] shape) {
        if (Tensor.numel(shape) != x.size())
            throw new IllegalArgumentException("reshape: cannot reshape " + Arrays.toString(x.shape()) + " to " + Arrays.toString(shape));
        return new Tensor(shape.clone(), x.data().clone());
    }

    /** y[i_perm[0], ..., i_perm[r-1]] = x[i_0, ..., i_{r-1}]: output axis k is input axis perm[k]. */
    static Tensor transpose(Tensor x, List<Integer> perm) {
        int r = x.rank();
        if (perm.size() != r) throw new IllegalArgumentException("transpose: permutation " + perm + " for rank " + r);
        int[] p = new int[r], out = new int[r];
        for (int k = 0; k < r; k++) { p[k] = Index.axis(perm.get(k), r); out[k] = x.dim(p[k]); }
        int[] xs = Tensor.strides(x.shape());
        double[] y = new double[x.size()];
        for (int i = 0; i < y.length; i++) {
            int[] idx = Tensor.unravel(i, out);
            int src = 0;
            for (int k = 0; k < r; k++) src += idx[k] * xs[p[k]];
            y[i] = x.data()[src];
        }
        return new Tensor(out, y);
    }

    static Tensor concat(List<Tensor> xs, int axis) {
        Tensor first = xs.get(0);
        int a = Index.axis(axis, first.rank());
        int[] out = first.shape().clone();
        out[a] = 0;
        for (Tensor t : xs) {
            for (int i = 0; i < out.length; i++)
                if (i != a && (t.rank() != first.rank() || t.dim(i) != first.dim(i)))
                    throw new IllegalArgumentException("concat: " + Arrays.toString(first.shape()) + " and " + Arrays.toString(t.shape()) + " differ off axis " + a);
            out[a] += t.dim(a);
        }
        int outer = Tensor.prod(out, 0, a), inner = Tensor.prod(out, a + 1, out.length);
        double[] y = new double[Tensor.numel(out)];
        int offset = 0; // position along axis a where the next input starts
        for (Tensor t : xs) {
            int len = t.dim(a);
            for (int o = 0; o < outer; o++)
                System.arraycopy(t.data(), o * len * inner, y, (o * out[a] + offset) * inner, len * inner);
            offset += len;
        }
        return new Tensor(out, y);
    }

    static Tensor slice(Tensor x, int axis, int start, int end) {
        int a = Index.axis(axis, x.rank());
        if (start < 0 || end > x.dim(a) || start >= end)
            throw new IllegalArgumentException("slice " + start + ".." + end + " out of range for axis " + a + " of " + Arrays.toString(x.shape()));
        int[] out = x.shape().clone();
        out[a] = end - start;
        int outer = Tensor.prod(out, 0, a), inner = Tensor.prod(out, a + 1, out.length);
        double[] y = new double[Tensor.numel(out)];
        for (int o = 0; o < outer; o++)
            System.arraycopy(x.data(), (o * x.dim(a) + start) * inner, y, o * out[a] * inner, out[a] * inner);
        return new Tensor(out, y);
    }

    static Tensor sliceGrad(Tensor dy, int axis, int start, int size) {
        int a = Index.axis(axis, dy.rank());
        if (start < 0 || start + dy.dim(a) > size)
            throw new IllegalArgumentException("slice_grad: dy " + Arrays.toString(dy.shape()) + " at " + start + " does not fit size " + size + " along axis " + a);
        int[] out = dy.shape().clone();
        out[a] = size;
        int outer = Tensor.prod(out, 0, a), inner = Tensor.prod(out, a + 1, out.length), len = dy.dim(a);
        double[] y = new double[Tensor.numel(out)];
        for (int o = 0; o < outer; o++)
            System.arraycopy(dy.data(), o * len * inner, y, (o * size + start) * inner, len * inner);
        return new Tensor(out, y);
    }

    /** A class or token id: must be an exact integer in [0, n). */
    static int id(double v, int n, String op) {
        if (v != Math.rint(v) || v < 0 || v >= n)
            throw new IllegalArgumentException(op + ": id " + v + " is not an integer in [0, " + n + ")");
        return (int) v;
    }

    /** Inputs weight [V, D], ids; output ids' shape + [D]. */
    static Tensor embedding(Tensor w, Tensor ids) {
        int v = w.dim(0), d = w.dim(1);
        int[] out = Arrays.copyOf(ids.shape(), ids.rank() + 1);
        out[ids.rank()] = d;
        double[] y = new double[Tensor.numel(out)];
        for (int k = 0; k < ids.size(); k++)
            System.arraycopy(w.data(), id(ids.data()[k], v, "embedding") * d, y, k * d, d);
        return new Tensor(out, y);
    }

    /** Inputs dy [ids..., D], ids; rows of dy added into row id of a [vocab, D] zero tensor. */
    static Tensor embeddingGrad(Tensor dy, Tensor ids, int vocab) {
        int d = dy.dim(dy.rank() - 1);
        if (dy.size() != ids.size() * d) throw new IllegalArgumentException("embedding_grad: dy " + Arrays.toString(dy.shape()) + " does not match ids " + Arrays.toString(ids.shape()));
        double[] dw = new double[vocab * d];
        for (int k = 0; k < ids.size(); k++) {
            int row = id(ids.data()[k], vocab, "embedding_grad");
            for (int j = 0; j < d; j++) dw[row * d + j] += dy.data()[k * d + j];
        }
        return new Tensor(new int[]{vocab, d}, dw);
    }

    static Tensor oneHot(Tensor ids, int classes) {
        int[] out = Arrays.copyOf(ids.shape(), ids.rank() + 1);
        out[ids.rank()] = classes;
        double[] y = new double[Tensor.numel(out)];
        for (int k = 0; k < ids.size(); k++) y[k * classes + id(ids.data()[k], classes, "one_hot")] = 1;
        return new Tensor(out, y);
    }
}
