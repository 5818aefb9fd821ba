package dlm.passes;

import dlm.ir.Graph;
import dlm.ir.Op;
import dlm.ir.Op.BinaryFn;
import dlm.ir.Op.ReduceFn;
import dlm.ir.Op.UnaryFn;
import dlm.ir.Shape;
import dlm.ir.Type;
import dlm.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** Shorthands for adding primitive nodes to a graph, so lowering and gradient rules read like math. */
public final class Emit {
    private final Graph g;
    /** One Fill leaf per scalar constant: lowering uses 1, 0.5, -100 ... many times. */
    private final Map<Double, Value> scalars = new HashMap<>();

    /** Reuses the scalar constants the graph already has, so passes do not pile up copies. */
    public Emit(Graph g) {
        this.g = g;
        for (var n : g.nodes())
            if (n.op() instanceof Op.Fill f && n.out().shape().equals(Shape.SCALAR)) scalars.putIfAbsent(f.value(), n.out());
    }

    public Graph graph() { return g; }

    public Value op(Op op, Value... in) { return g.add(op, in); }

    /** A scalar constant (shape []), broadcast by Binary to any shape. */
    public Value scalar(double v) {
        return scalars.computeIfAbsent(v, k -> g.addLeaf(new Op.Fill(k), Type.f32(Shape.SCALAR)));
    }

    /** A constant of a given shape (which may have the batch dimension). */
    public Value fill(double v, Shape s) { return g.addLeaf(new Op.Fill(v), Type.f32(s)); }

    public Value add(Value a, Value b) { return binary(BinaryFn.ADD, a, b); }
    public Value sub(Value a, Value b) { return binary(BinaryFn.SUB, a, b); }
    public Value mul(Value a, Value b) { return binary(BinaryFn.MUL, a, b); }
    public Value div(Value a, Value b) { return binary(BinaryFn.DIV, a, b); }
    public Value max(Value a, Value b) { return binary(BinaryFn.MAX, a, b); }
    public Value binary(BinaryFn fn, Value a, Value b) { return g.add(new Op.Binary(fn), a, b); }

    public Value unary(UnaryFn fn, Value x) { return g.add(new Op.Unary(fn, 0), x); }
    public Value neg(Value x) { return unary(UnaryFn.NEG, x); }

    public Value reduce(ReduceFn fn, List<Integer> axes, boolean keepDims, Value x) {
        return g.add(new Op.Reduce(fn, axes, keepDims), x);
    }

    /** Reduces every axis to a scalar. */
    public Value reduceAll(ReduceFn fn, Value x) { return reduce(fn, allAxes(x.shape().rank()), false, x); }

    public Value reshape(Value x, List<Integer> dims) {
        return x.shape().dims().equals(dims) ? x : g.add(new Op.Reshape(dims), x);
    }

    public Value slice(Value x, int axis, int start, int end) { return g.add(new Op.Slice(axis, start, end), x); }

    /** Sums a broadcast gradient back to the operand's shape; nothing to do when they agree. */
    public Value sumTo(Value dy, Shape s) {
        return dy.shape().equals(s) ? dy : g.add(new Op.SumTo(s.dims()), dy);
    }

    /** Swaps the last two axes. */
    public Value transposeLast2(Value x) {
        int r = x.shape().rank();
        List<Integer> perm = new ArrayList<>(IntStream.range(0, r).boxed().toList());
        perm.set(r - 2, r - 1);
        perm.set(r - 1, r - 2);
        return g.add(new Op.Transpose(perm), x);
    }

    public static List<Integer> allAxes(int rank) { return IntStream.range(0, rank).boxed().toList(); }

    public static List<Integer> range(int from, int to) { return IntStream.range(from, to).boxed().toList(); }
}
