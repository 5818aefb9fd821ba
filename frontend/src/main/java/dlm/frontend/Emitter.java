package dlm.frontend;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dlm.ir.Graph;
import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.ShapeException;
import dlm.ir.Type;
import dlm.ir.Value;

/**
 * Builds one model's graph: adds nodes (turning shape errors into located diagnostics),
 * creates named parameters, and hands out layer names.
 */
final class Emitter {
    final Graph graph;
    /** Layer name to where it was given, to report duplicates. */
    private final Map<String, Pos> layers = new LinkedHashMap<>();
    /** Per name prefix and op kind, how many unnamed layers were named so far. */
    private final Map<String, Integer> counters = new HashMap<>();
    /** Losses met while evaluating the train block's loss, in order. */
    final List<LossUse> losses = new ArrayList<>();
    /** Class-id targets ({@code class(N)}) and their number of classes, to check logits against. */
    final Map<Value, Integer> classTargets = new HashMap<>();
    /** True only while the train block's loss is evaluated: losses are legal there only. */
    boolean inLoss;

    record LossUse(Op.LossFn fn, Value prediction, Value target, Pos pos) {}

    Emitter(String modelName) { this.graph = new Graph(modelName); }

    /** Adds a node; a shape rule's complaint becomes an error at {@code pos}, prefixed by what was called. */
    Value add(Pos pos, String what, Op op, Value... inputs) {
        try {
            return graph.add(op, inputs);
        } catch (ShapeException e) {
            String m = e.getMessage();
            throw new DlmError(pos, what == null || m.startsWith(what) ? m : what + ": " + m);
        }
    }

    Value add(Pos pos, String what, Op op, List<Value> inputs) { return add(pos, what, op, inputs.toArray(Value[]::new)); }

    /** A scalar constant, broadcast by the elementwise op that uses it. */
    Value scalar(double v) { return graph.addLeaf(new Op.Fill(v), Type.f32(Shape.SCALAR)); }

    Value param(String layer, String suffix, Op.ParamKind kind, Op.Init init, int fanIn, int... dims) {
        return graph.addLeaf(new Op.Param(layer + "." + suffix, kind, init, fanIn), Type.f32(Shape.of(dims)));
    }

    /**
     * The full name of a layer: {@code prefix + explicit} when a name was given, else
     * {@code prefix + kind_n} counting per prefix and kind from 1, as Keras does.
     */
    String layerName(String prefix, String kind, String explicit, Pos pos) {
        String name;
        if (explicit != null) name = prefix + explicit;
        else {
            int n = counters.merge(prefix + kind, 1, Integer::sum);
            name = prefix + kind + "_" + n;
        }
        Pos first = layers.putIfAbsent(name, pos);
        if (first != null && first.equals(pos))
            throw new DlmError(pos, "duplicate layer name '" + name + "': this line makes it more than once"
                    + " (in a loop, or in a def called more than once); give each def call its own name=");
        if (first != null)
            throw new DlmError(pos, "duplicate layer name '" + name + "' (first used at line " + first.line() + ")");
        return name;
    }

    java.util.Set<String> layerNames() { return layers.keySet(); }
}
