package dlm.ir;

import dlm.ir.text.IrPrinter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Checks the invariants every pass may rely on and must keep: SSA (each value defined once,
 * used only after its definition, by nodes of this graph), arity, each non-leaf node typed as
 * its op infers, unique feed and state names, params without a batch axis, outputs and updates
 * naming this graph's values, each update typed as the param it overwrites.
 */
public final class Verifier {
    private Verifier() {}

    /** Throws a {@link VerifyException} naming the first broken invariant. */
    public static void verify(Graph g) {
        Set<Value> defined = new HashSet<>();
        Set<Integer> ids = new HashSet<>();
        Map<String, Node> feeds = new HashMap<>(), params = new HashMap<>();
        for (Node n : g.nodes()) {
            if (!ids.add(n.out().id())) fail(g, n, n.out() + " is defined twice");
            for (Value in : n.inputs())
                if (!defined.contains(in)) fail(g, n, "uses " + in + " before its definition (or a value of another graph)");
            switch (n.op()) {
                case Op.Leaf leaf -> {
                    if (!n.inputs().isEmpty()) fail(g, n, leaf.opName() + " is a leaf but has " + n.inputs().size() + " inputs");
                    switch (leaf) {
                        case Op.Input i -> unique(g, n, feeds, i.name(), "input or target");
                        case Op.Target t -> unique(g, n, feeds, t.name(), "input or target");
                        case Op.Param p -> {
                            unique(g, n, params, p.name(), "param");
                            if (n.out().shape().hasBatch()) fail(g, n, "param '" + p.name() + "' has a batch dimension");
                        }
                        case Op.Fill f -> {}
                    }
                }
                default -> {
                    Op op = n.op();
                    if (op.arity() >= 0 ? n.inputs().size() != op.arity() : n.inputs().isEmpty())
                        fail(g, n, op.opName() + " takes " + (op.arity() >= 0 ? op.arity() : "at least one") + " inputs, got " + n.inputs().size());
                    Type inferred;
                    try {
                        inferred = op.infer(n.inputs().stream().map(Value::type).toList());
                    } catch (ShapeException | IndexOutOfBoundsException e) {
                        fail(g, n, "the inputs do not fit " + op.opName() + ": " + e.getMessage());
                        return;
                    }
                    if (!inferred.equals(n.out().type())) fail(g, n, "typed " + n.out().type() + " but " + op.opName() + " infers " + inferred);
                }
            }
            defined.add(n.out());
        }
        g.outputs().forEach((name, v) -> {
            if (!defined.contains(v)) throw new VerifyException("graph " + g.name() + ": output '" + name + "' refers to " + v + ", not a value of this graph");
        });
        g.updates().forEach((name, v) -> {
            if (!defined.contains(v)) throw new VerifyException("graph " + g.name() + ": update of '" + name + "' refers to " + v + ", not a value of this graph");
            Node p = params.get(name);
            if (p == null) throw new VerifyException("graph " + g.name() + ": update of '" + name + "', which is not a param of this graph");
            if (!p.out().type().equals(v.type()))
                throw new VerifyException("graph " + g.name() + ": update of '" + name + "' has type " + v.type() + " but the param is " + p.out().type());
        });
    }

    private static void unique(Graph g, Node n, Map<String, Node> seen, String name, String what) {
        Node before = seen.putIfAbsent(name, n);
        if (before != null) fail(g, n, what + " name '" + name + "' is already used by " + before.out());
    }

    private static void fail(Graph g, Node n, String message) {
        throw new VerifyException("graph " + g.name() + ": " + message + "\n  at " + IrPrinter.node(n));
    }

    /** Convenience for passes: verifies and returns the graph. */
    public static Graph verified(Graph g) {
        verify(g);
        return g;
    }

}
