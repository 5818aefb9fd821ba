package dlm.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model as a typed SSA graph: nodes in topological order, named outputs, and updates
 * (state that a run writes back: new weights, running statistics, optimizer state).
 * Passes never mutate a graph they are given; they build a new one.
 */
public final class Graph {
    /** Name of the output that holds the training loss. */
    public static final String LOSS = "loss";

    private final String name;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<Value, Node> producers = new HashMap<>();
    private final Map<String, Value> outputs = new LinkedHashMap<>();
    private final Map<String, Value> updates = new LinkedHashMap<>();
    private TrainSpec train;
    private int nextId;

    public Graph(String name) { this.name = name; }

    public String name() { return name; }
    public List<Node> nodes() { return Collections.unmodifiableList(nodes); }
    public Map<String, Value> outputs() { return Collections.unmodifiableMap(outputs); }
    /** State name (a Param's name) to the value written back to it after a run. */
    public Map<String, Value> updates() { return Collections.unmodifiableMap(updates); }
    public Optional<TrainSpec> train() { return Optional.ofNullable(train); }
    public void setTrain(TrainSpec spec) { this.train = spec; }

    /**
     * The same graph with another train spec (e.g. other trainable layers or learning rate for
     * a fine-tuning stage). Nodes are immutable and shared; the copy can grow independently.
     */
    public Graph withTrain(TrainSpec spec) {
        Graph g = new Graph(name);
        g.nodes.addAll(nodes);
        g.producers.putAll(producers);
        g.outputs.putAll(outputs);
        g.updates.putAll(updates);
        g.nextId = nextId;
        g.train = spec;
        return g;
    }

    /** Adds a node, inferring its type. */
    public Value add(Op op, Value... inputs) { return add(op, List.of(inputs)); }

    public Value add(Op op, List<Value> inputs) {
        if (op.arity() >= 0 && op.arity() != inputs.size())
            throw new IllegalArgumentException(op.opName() + " takes " + op.arity() + " inputs, got " + inputs.size());
        for (Value v : inputs)
            if (!producers.containsKey(v)) throw new IllegalArgumentException(v + " does not belong to graph " + name);
        Type t = op.infer(inputs.stream().map(Value::type).toList());
        return append(op, inputs, t);
    }

    /** Adds a leaf (input, target, param, fill): its type is given, not inferred. */
    public Value addLeaf(Op.Leaf op, Type type) { return append(op, List.of(), type); }

    /** Adds a node with a given type: for parsers and passes that copy nodes verbatim. */
    public Value addTyped(Op op, List<Value> inputs, Type type) { return append(op, inputs, type); }

    private Value append(Op op, List<Value> inputs, Type type) {
        Value v = new Value(nextId++, type);
        Node n = new Node(v, op, inputs);
        nodes.add(n);
        producers.put(v, n);
        return v;
    }

    public Node producer(Value v) {
        Node n = producers.get(v);
        if (n == null) throw new IllegalArgumentException(v + " does not belong to graph " + name);
        return n;
    }

    public void output(String name, Value v) { producer(v); outputs.put(name, v); }
    public void removeOutput(String name) { outputs.remove(name); }
    public void update(String state, Value v) { producer(v); updates.put(state, v); }

    /** All nodes whose op is of the given leaf kind, in order. */
    public <T extends Op> List<Node> nodesOf(Class<T> kind) {
        return nodes.stream().filter(n -> kind.isInstance(n.op())).toList();
    }

    public List<Node> inputs() { return nodesOf(Op.Input.class); }
    public List<Node> targets() { return nodesOf(Op.Target.class); }
    public List<Node> params() { return nodesOf(Op.Param.class); }

    public Optional<Node> param(String name) {
        return params().stream().filter(n -> ((Op.Param) n.op()).name().equals(name)).findFirst();
    }

    /** Trainable parameters: weights not frozen by the train block. */
    public List<Node> trainableParams() {
        return params().stream().filter(n -> {
            Op.Param p = (Op.Param) n.op();
            return p.kind() == Op.ParamKind.WEIGHT && (train == null || train.isTrainable(p.name()));
        }).toList();
    }

    /** Number of trainable scalars (frozen layers included: it is the model's size). */
    public long weightCount() {
        return params().stream().filter(n -> ((Op.Param) n.op()).kind() == Op.ParamKind.WEIGHT)
                .mapToLong(n -> n.out().shape().numel(1)).sum();
    }

    public int size() { return nodes.size(); }

    /** The graph as textual IR (see {@link dlm.ir.text.IrPrinter}). */
    @Override public String toString() { return dlm.ir.text.IrPrinter.print(this); }
}
