package dlm.passes;

import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Value;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies a graph node by node into a new one, keeping a map from old values to new values.
 * Every pass is built on it: a pass looks at each node and either replaces it (emitting new
 * nodes and mapping the old output to their result) or lets it be copied verbatim. Outputs and
 * updates of the source are carried over through the map; updates a pass adds are kept too.
 */
public final class GraphRewriter {
    /** Decides what becomes of one node; returns false to have it copied unchanged. */
    @FunctionalInterface
    public interface Rule { boolean rewrite(GraphRewriter rw, Node node); }

    private final Graph source;
    private final Graph target;
    private final Emit emit;
    private final Map<Value, Value> map = new HashMap<>();
    private final Map<String, Value> addedUpdates = new LinkedHashMap<>();

    public GraphRewriter(Graph source) {
        this.source = source;
        this.target = new Graph(source.name());
        this.target.setTrain(source.train().orElse(null));
        this.emit = new Emit(target);
    }

    /** Applies the rule to every node in order, then carries outputs and updates over. */
    public static Graph rewrite(Graph g, Rule rule) {
        GraphRewriter rw = new GraphRewriter(g);
        for (Node n : g.nodes()) if (!rw.rule(rule, n)) rw.copy(n);
        return rw.finish();
    }

    /** A structurally identical copy. */
    public static Graph copy(Graph g) { return rewrite(g, (rw, n) -> false); }

    private boolean rule(Rule r, Node n) { return r.rewrite(this, n); }

    public Graph source() { return source; }
    public Graph target() { return target; }
    /** Helpers to add nodes to the target graph. */
    public Emit emit() { return emit; }

    /** The new value standing for an old one. */
    public Value get(Value old) {
        Value v = map.get(old);
        if (v == null) throw new IllegalStateException(old + " used before it was rewritten");
        return v;
    }

    public Value in(Node n, int i) { return get(n.input(i)); }

    public List<Value> inputs(Node n) { return n.inputs().stream().map(this::get).toList(); }

    public void put(Value old, Value now) { map.put(old, now); }

    /** Copies a node verbatim (same op and type) with its inputs mapped. */
    public Value copy(Node n) {
        Value v = target.addTyped(n.op(), inputs(n), n.out().type());
        map.put(n.out(), v);
        return v;
    }

    /** A state update introduced by the pass (e.g. running statistics). */
    public void update(String state, Value v) { addedUpdates.put(state, v); }

    public Graph finish() {
        source.outputs().forEach((name, v) -> target.output(name, get(v)));
        source.updates().forEach((name, v) -> target.update(name, get(v)));
        addedUpdates.forEach(target::update);
        return target;
    }
}
