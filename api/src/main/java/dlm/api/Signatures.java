package dlm.api;

import dlm.ir.DType;
import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.TrainSpec;
import dlm.ir.Value;
import dlm.runtime.ModelSignature;
import dlm.runtime.Prediction;
import dlm.runtime.TensorSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The runtime's view of a model graph: names and sample shapes of inputs, targets, outputs. */
public final class Signatures {
    private Signatures() {}

    public static ModelSignature of(Graph g) {
        List<TensorSpec> inputs = g.inputs().stream().map(n -> spec(((Op.Input) n.op()).name(), n.out())).toList();
        List<TensorSpec> targets = g.targets().stream().map(n -> spec(((Op.Target) n.op()).name(), n.out())).toList();
        List<TensorSpec> outputs = new ArrayList<>();
        for (Map.Entry<String, Value> e : g.outputs().entrySet())
            if (!e.getKey().equals(Graph.LOSS) && !e.getKey().startsWith("grad:")) outputs.add(spec(e.getKey(), e.getValue()));
        TrainSpec t = g.train().orElse(null);
        return new ModelSignature(g.name(), inputs, targets, outputs,
                t == null ? List.of() : t.metrics(),
                t == null ? null : t.predictionOutput(),
                t == null ? null : t.targetName(),
                t == null || t.prediction() == null ? null : Prediction.valueOf(t.prediction().name()));
    }

    private static TensorSpec spec(String name, Value v) {
        return new TensorSpec(name, v.dtype() == DType.I32, v.shape().sample().stream().mapToInt(Integer::intValue).toArray());
    }

    /** Weights and buffers (what a state dict holds), name to shape. */
    public static Map<String, int[]> stateShapes(Graph g) {
        Map<String, int[]> m = new java.util.LinkedHashMap<>();
        for (Node n : g.params()) {
            Op.Param p = (Op.Param) n.op();
            if (p.kind() != Op.ParamKind.STATE) m.put(p.name(), n.out().shape().toArray());
        }
        return m;
    }
}
