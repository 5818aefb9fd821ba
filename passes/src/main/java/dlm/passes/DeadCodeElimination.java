package dlm.passes;

import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Value;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Removes every node that no output and no update depends on: forward values only a dropped
 * output read, gradients nobody uses, and what folding and simplification left behind.
 * Input and target leaves stay even when unused, as they are the model's signature (a caller
 * feeds them whatever the graph reads), and so do param leaves, which are state that is
 * loaded, saved and updated by name.
 */
public final class DeadCodeElimination implements Pass {
    @Override public String name() { return "dce"; }

    @Override public Graph run(Graph g) {
        Set<Value> live = new HashSet<>(g.outputs().values());
        live.addAll(g.updates().values());
        List<Node> nodes = g.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (live.contains(n.out()) || kept(n.op())) live.addAll(n.inputs());
        }
        return GraphRewriter.rewrite(g, (rw, n) -> !live.contains(n.out()) && !kept(n.op()));
    }

    private static boolean kept(Op op) {
        return switch (op) {
            case Op.Input _, Op.Target _, Op.Param _ -> true;
            default -> false;
        };
    }
}
