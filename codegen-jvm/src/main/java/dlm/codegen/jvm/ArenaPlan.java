package dlm.codegen.jvm;

import dlm.ir.Node;
import dlm.ir.Value;
import java.util.Map;

/**
 * The arena offsets of one compiled graph: every live value (state values point into the
 * state region), the scratch of the ops that need some, the staging slots of updates whose
 * new value is another piece of state, and the arena size the graph needs.
 */
record ArenaPlan(Map<Value, Integer> offsets, Map<Node, Integer> scratch, Map<String, Integer> staging, int arenaSize) {
    int offset(Value v) {
        Integer o = offsets.get(v);
        if (o == null) throw new IllegalStateException("no arena offset for " + v);
        return o;
    }
}
