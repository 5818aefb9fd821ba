package dlm.passes;

import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Op.BinaryFn;
import dlm.ir.Op.UnaryFn;
import dlm.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Identities that remove nodes without changing any value:
 * <ul>
 * <li>{@code x*1, 1*x, x/1, x-0, x+0, 0+x -> x}, where the constant is a {@code fill} of any
 *     shape, but only when the node's type equals x's: a constant that broadcasts x to a larger
 *     shape is doing work. {@code x*0} stays: it is NaN for x = NaN or infinite.
 *     ({@code x+0} turns -0.0 into +0.0, which the rewrite gives up; nothing downstream of an
 *     addition is meant to depend on the sign of a zero.)</li>
 * <li>{@code reshape(reshape(x)) -> reshape(x)}; a reshape to x's own shape -> x.</li>
 * <li>{@code transpose(transpose(x, p), q) -> transpose(x, p∘q)}; the identity permutation -> x.</li>
 * <li>{@code neg(neg(x)) -> x}; {@code identity(x) -> x}.</li>
 * </ul>
 * Rules look at the already rewritten inputs, so chains (three reshapes, four negations)
 * collapse in one run. Nodes left without users are removed by {@link DeadCodeElimination}.
 */
public final class AlgebraicSimplification implements Pass {
    @Override public String name() { return "simplify"; }

    @Override public Graph run(Graph g) {
        return GraphRewriter.rewrite(g, (rw, n) -> {
            Value r = simplify(rw, n);
            if (r == null) return false;
            rw.put(n.out(), r);
            return true;
        });
    }

    /** The value n reduces to (an existing one, or one just emitted), or null to copy n. */
    private static Value simplify(GraphRewriter rw, Node n) {
        Graph t = rw.target();
        return switch (n.op()) {
            case Op.Binary b -> {
                Value a = rw.in(n, 0), c = rw.in(n, 1);
                Value keep = switch (b.fn()) {
                    case MUL -> isFill(t, c, 1) ? a : isFill(t, a, 1) ? c : null;
                    case ADD -> isFill(t, c, 0) ? a : isFill(t, a, 0) ? c : null;
                    case SUB -> isFill(t, c, 0) ? a : null;
                    case DIV -> isFill(t, c, 1) ? a : null;
                    case MAX, MIN -> null;
                };
                // the kept operand must already have the result's type: no broadcasting done by the constant
                yield keep != null && keep.type().equals(n.out().type()) ? keep : null;
            }
            case Op.Unary u when u.fn() == UnaryFn.IDENTITY -> rw.in(n, 0);
            case Op.Unary u when u.fn() == UnaryFn.NEG -> {
                Node x = t.producer(rw.in(n, 0));
                yield x.op() instanceof Op.Unary inner && inner.fn() == UnaryFn.NEG ? x.input(0) : null;
            }
            case Op.Reshape r -> {
                Value x = rw.in(n, 0);
                // reshape only reinterprets the row-major order, so the inner reshape is transparent
                if (t.producer(x).op() instanceof Op.Reshape) x = t.producer(x).input(0);
                if (x.shape().dims().equals(r.dims())) yield x;
                yield x == rw.in(n, 0) ? null : t.add(r, x);
            }
            case Op.Transpose tr -> {
                Value x = rw.in(n, 0);
                int rank = x.shape().rank();
                List<Integer> perm = normalize(tr.perm(), rank);
                if (t.producer(x).op() instanceof Op.Transpose inner) {
                    // y[i] = x[p[i]] and z[j] = y[q[j]], so z[j] = x[p[q[j]]]
                    List<Integer> p = normalize(inner.perm(), rank), composed = new ArrayList<>();
                    for (int q : perm) composed.add(p.get(q));
                    x = t.producer(x).input(0);
                    perm = composed;
                }
                if (perm.equals(Emit.allAxes(rank))) yield x;
                yield x == rw.in(n, 0) ? null : t.add(new Op.Transpose(perm), x);
            }
            default -> null;
        };
    }

    private static boolean isFill(Graph t, Value v, double value) {
        // == on purpose: a fill of -0.0 is as good a zero as 0.0 for x+0 and x-0
        return t.producer(v).op() instanceof Op.Fill f && f.value() == value;
    }

    private static List<Integer> normalize(List<Integer> perm, int rank) {
        return perm.stream().map(p -> p < 0 ? p + rank : p).toList();
    }
}
