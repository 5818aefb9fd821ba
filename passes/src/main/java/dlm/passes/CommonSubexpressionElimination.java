package dlm.passes;

import dlm.ir.Graph;
import dlm.ir.Op;
import dlm.ir.Type;
import dlm.ir.Value;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges nodes that compute the same thing: the same op (records' equals compares every
 * attribute), the same already-merged inputs in the same order, and the same type. Fill leaves
 * with the same value and type merge too, so the constants that lowering, autodiff and the
 * optimizer each emit end up once. Never merged: {@code dropout_mask} (two masks are two draws
 * of the random generator, not one value), and input, target and param leaves, which are
 * distinct by what they name (the verifier already forbids two with one name).
 *
 * <p>One pass in topological order is enough: a node's inputs are merged before it is looked at.
 */
public final class CommonSubexpressionElimination implements Pass {
    @Override public String name() { return "cse"; }

    private record Key(Op op, List<Value> inputs, Type type) {}

    @Override public Graph run(Graph g) {
        Map<Key, Value> seen = new HashMap<>();
        return GraphRewriter.rewrite(g, (rw, n) -> {
            boolean mergeable = switch (n.op()) {
                case Op.Input _, Op.Target _, Op.Param _ -> false;
                case Op.DropoutMask _ -> false;
                default -> true;
            };
            if (!mergeable) return false;
            Key k = new Key(n.op(), rw.inputs(n), n.out().type());
            Value same = seen.get(k);
            if (same == null) seen.put(k, rw.copy(n));
            else rw.put(n.out(), same);
            return true;
        });
    }
}
