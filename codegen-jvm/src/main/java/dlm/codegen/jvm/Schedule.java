package dlm.codegen.jvm;

import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Value;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The nodes a run executes, in graph order: those an output or an update depends on, as the
 * interpreter evaluates them. Keeping the interpreter's order matters beyond tidiness: dropout
 * masks are drawn from one stream in node order, so the same order gives the same masks.
 */
final class Schedule {
    private Schedule() {}

    static List<Node> of(Graph g, Map<String, Value> outputs) {
        Set<Value> live = new HashSet<>(outputs.values());
        live.addAll(g.updates().values());
        List<Node> nodes = g.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--)
            if (live.contains(nodes.get(i).out())) live.addAll(nodes.get(i).inputs());
        List<Node> order = new ArrayList<>();
        for (Node n : nodes) if (live.contains(n.out())) order.add(n);
        return order;
    }
}
