package dlm.ir;

import java.util.ArrayList;
import java.util.List;

/** Shape rules shared by several ops. Messages are phrased for users: they reach diagnostics. */
public final class Shapes {
    private Shapes() {}

    public static void rank(String what, Shape s, int rank) {
        if (s.rank() != rank) {
            String expected = rank == 4 ? "[channels, height, width]" : "rank " + (s.hasBatch() ? rank - 1 : rank);
            throw new ShapeException(what + " expects " + expected + ", got " + (s.hasBatch() ? s.sampleString() : s.toString()));
        }
    }

    public static void same(String what, Type a, Type b) {
        if (!a.equals(b)) throw new ShapeException(what + ": expected " + b + ", got " + a);
    }

    /** NumPy broadcasting; the batch dimension broadcasts only with itself or 1. */
    public static Shape broadcast(Shape a, Shape b) {
        int r = Math.max(a.rank(), b.rank());
        List<Integer> out = new ArrayList<>(r);
        for (int i = 0; i < r; i++) {
            int da = i < r - a.rank() ? 1 : a.dim(i - (r - a.rank()));
            int db = i < r - b.rank() ? 1 : b.dim(i - (r - b.rank()));
            if (da == db || db == 1) out.add(da);
            else if (da == 1) out.add(db);
            else throw new ShapeException("cannot broadcast " + a.sampleString() + " with " + b.sampleString());
        }
        return new Shape(out);
    }

    public static Shape matmul(Shape a, Shape b, boolean ta, boolean tb) {
        if (a.rank() < 2 || b.rank() < 2) throw new ShapeException("matmul expects matrices, got " + a.sampleString() + " and " + b.sampleString());
        int m = a.dim(ta ? -1 : -2), k = a.dim(ta ? -2 : -1);
        int kb = b.dim(tb ? -1 : -2), n = b.dim(tb ? -2 : -1);
        if (k != kb) throw new ShapeException("matmul inner dimensions differ: " + a.sampleString() + " and " + b.sampleString());
        List<Integer> out = new ArrayList<>(a.dims().subList(0, a.rank() - 2));
        if (b.rank() > 2 && !b.dims().subList(0, b.rank() - 2).equals(out))
            throw new ShapeException("matmul batch dimensions differ: " + a.sampleString() + " and " + b.sampleString());
        out.add(m);
        out.add(n);
        return new Shape(out);
    }

    public static int convOut(int in, int k, int stride, int dilation, int padTotal) {
        int eff = dilation * (k - 1) + 1;
        int o = (in + padTotal - eff) / stride + 1;
        if (in + padTotal < eff || o <= 0) throw new ShapeException("kernel " + k + " is larger than the input size " + in + (padTotal > 0 ? " plus padding " + padTotal : ""));
        return o;
    }

    public static Type pool(String op, Type t, int k, int stride, int padH, int padW) {
        Shape x = t.shape();
        rank(op, x, 4);
        return t.withShape(new Shape(List.of(x.dim(0), x.dim(1), convOut(x.dim(2), k, stride, 1, padH), convOut(x.dim(3), k, stride, 1, padW))));
    }

    public static Shape reduce(Shape x, List<Integer> axes, boolean keep) {
        List<Integer> norm = axes.stream().map(x::axis).toList();
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
            if (norm.contains(i)) { if (keep) out.add(1); }
            else out.add(x.dim(i));
        }
        return new Shape(out);
    }

    public static Shape transpose(Shape x, List<Integer> perm) {
        if (perm.size() != x.rank()) throw new ShapeException("transpose permutation " + perm + " does not match rank of " + x);
        List<Integer> out = new ArrayList<>();
        for (int p : perm) out.add(x.dim(x.axis(p)));
        if (x.hasBatch() && perm.get(0) != 0) throw new ShapeException("transpose cannot move the batch axis");
        return new Shape(out);
    }

    public static Shape concat(List<Shape> xs, int axis) {
        Shape first = xs.get(0);
        int a = first.axis(axis);
        int total = 0;
        for (Shape s : xs) {
            if (s.rank() != first.rank()) throw new ShapeException("concat of different ranks: " + first.sampleString() + " and " + s.sampleString());
            for (int i = 0; i < s.rank(); i++)
                if (i != a && s.dim(i) != first.dim(i))
                    throw new ShapeException("concat along axis " + (first.hasBatch() ? a - 1 : a) + " needs equal other dimensions, got " + first.sampleString() + " and " + s.sampleString());
            total += s.dim(a);
        }
        return first.with(a, total);
    }
}
