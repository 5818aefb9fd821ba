package dlm.codegen.jvm;

import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Value;
import java.util.Map;

/** What an op emitter needs to know about the graph being compiled: offsets, batch, constants. */
record EmitContext(ArenaPlan plan, int batch, Map<Value, Node> producers) {
    int off(Value v) { return plan.offset(v); }

    int[] shape(Value v) { return v.shape().resolve(batch); }

    int numel(Value v) { return (int) v.shape().numel(batch); }

    int scratch(Node n) {
        Integer o = plan.scratch().get(n);
        if (o == null) throw new IllegalStateException("no scratch planned for " + n.out());
        return o;
    }

    /** The value of a scalar (one-element) Fill, which loops read as a bytecode constant; null otherwise. */
    Float constant(Value v) {
        Node p = producers.get(v);
        if (p != null && p.op() instanceof Op.Fill f && v.shape().numel(batch) == 1) return (float) f.value();
        return null;
    }
}
