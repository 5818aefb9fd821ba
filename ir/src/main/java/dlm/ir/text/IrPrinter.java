package dlm.ir.text;

import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.TrainSpec;
import dlm.ir.Value;
import java.lang.reflect.RecordComponent;
import java.util.Map;

/**
 * Prints a graph as textual IR, one node per line:
 * <pre>
 * graph tumor {
 *   %0 = input(name="x") : f32[N, 30]
 *   %2 = mat_mul(%0, %1, trans_a=false, trans_b=true) : f32[N, 16]
 *   output p = %5
 *   update dense_1.weight = %9
 *   train optimizer=adam(lr=0.001, ...) metrics=[accuracy] freeze=[] trainable=[] ...
 * }
 * </pre>
 * {@link IrParser} reads it back; print, parse, print gives the same text.
 */
public final class IrPrinter {
    private IrPrinter() {}

    public static String print(Graph g) {
        StringBuilder sb = new StringBuilder();
        sb.append("graph ").append(Lexer.nameOrQuoted(g.name())).append(" {\n");
        for (Node n : g.nodes()) sb.append("  ").append(node(n)).append('\n');
        for (Map.Entry<String, Value> e : g.outputs().entrySet())
            sb.append("  output ").append(Lexer.nameOrQuoted(e.getKey())).append(" = ").append(e.getValue()).append('\n');
        for (Map.Entry<String, Value> e : g.updates().entrySet())
            sb.append("  update ").append(Lexer.nameOrQuoted(e.getKey())).append(" = ").append(e.getValue()).append('\n');
        g.train().ifPresent(t -> sb.append("  ").append(train(t)).append('\n'));
        return sb.append("}\n").toString();
    }

    /** One node: {@code %3 = op(%1, %2, attr=value, ...) : type}. */
    public static String node(Node n) {
        StringBuilder sb = new StringBuilder();
        sb.append(n.out()).append(" = ").append(n.op().opName()).append('(');
        boolean first = true;
        for (Value v : n.inputs()) { sb.append(first ? "" : ", ").append(v); first = false; }
        String attrs = Records.formatAttrs(n.op());
        if (!attrs.isEmpty()) sb.append(first ? "" : ", ").append(attrs);
        return sb.append(") : ").append(n.out().type()).toString();
    }

    /** The train line: every TrainSpec component as key=value, null ones left out. */
    static String train(TrainSpec t) {
        StringBuilder sb = new StringBuilder("train");
        for (RecordComponent rc : TrainSpec.class.getRecordComponents()) {
            Object v = Records.get(rc, t);
            if (v == null) continue;
            sb.append(' ').append(Records.attrName(rc)).append('=');
            if (v instanceof TrainSpec.Optimizer o)
                sb.append(Op.snakeCase(o.getClass().getSimpleName())).append('(').append(Records.formatAttrs(o)).append(')');
            else if (v instanceof String s) sb.append(Lexer.nameOrQuoted(s));
            else sb.append(Records.format(v));
        }
        return sb.toString();
    }
}
