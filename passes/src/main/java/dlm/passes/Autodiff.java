package dlm.passes;

import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.Value;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode automatic differentiation, graph to graph. Takes a lowered training graph whose
 * output {@value Graph#LOSS} is a scalar and returns the same graph with, for every trainable
 * parameter, its gradient as an output {@code grad:<param>}.
 *
 * <p>The backward sweep only visits values that lie on a path from a trainable parameter to the
 * loss: frozen layers, inputs and targets get no gradient nodes at all, which is what makes
 * transfer learning with a frozen backbone cheap. Gradients of a value used several times are
 * summed with Binary ADD. The rules per op are in {@link Derivatives}.
 */
public final class Autodiff implements Pass {
    public static final String GRAD_PREFIX = "grad:";

    @Override public String name() { return "autodiff"; }

    public static String gradName(String param) { return GRAD_PREFIX + param; }

    @Override public Graph run(Graph src) {
        Value srcLoss = src.outputs().get(Graph.LOSS);
        if (srcLoss == null) throw new IllegalArgumentException("autodiff needs an output named '" + Graph.LOSS + "'");
        if (!srcLoss.shape().equals(Shape.SCALAR)) throw new IllegalArgumentException("the loss must be a scalar, got " + srcLoss.shape());

        Graph g = GraphRewriter.copy(src);
        Emit e = new Emit(g);
        List<Node> forward = List.copyOf(g.nodes());
        Value loss = g.outputs().get(Graph.LOSS);
        List<Node> params = g.trainableParams();
        Set<Value> relevant = relevant(g, forward, params, loss);

        Map<Value, Value> grads = new HashMap<>();
        if (relevant.contains(loss)) grads.put(loss, e.scalar(1.0));
        for (int k = forward.size() - 1; k >= 0; k--) {
            Node n = forward.get(k);
            Value dy = grads.get(n.out());
            if (dy == null || n.op() instanceof Op.Leaf) continue;
            Derivatives.backward(e, n, dy, new Derivatives.Grads() {
                @Override public boolean needs(int i) { return relevant.contains(n.input(i)); }
                @Override public void add(int i, Value gi) {
                    Value x = n.input(i);
                    if (!gi.shape().equals(x.shape()))
                        throw new IllegalStateException("gradient of " + n.op().opName() + " input " + i + " has shape " + gi.shape() + ", expected " + x.shape());
                    grads.merge(x, gi, e::add);
                }
            });
        }
        for (Node p : params) {
            String name = ((Op.Param) p.op()).name();
            // a trainable parameter the loss does not read still gets a (zero) gradient, so that
            // every trainable parameter has one and weight decay still applies to it
            Value gp = grads.get(p.out());
            g.output(gradName(name), gp != null ? gp : e.fill(0, p.out().shape()));
        }
        return g;
    }

    /** Values that depend on a trainable parameter and that the loss depends on. */
    private static Set<Value> relevant(Graph g, List<Node> nodes, List<Node> params, Value loss) {
        Set<Value> fromParams = new HashSet<>();
        for (Node p : params) fromParams.add(p.out());
        for (Node n : nodes) {
            if (Derivatives.blocksGradient(n.op())) continue;
            for (Value v : n.inputs()) if (fromParams.contains(v)) { fromParams.add(n.out()); break; }
        }
        Set<Value> toLoss = new HashSet<>();
        toLoss.add(loss);
        for (int k = nodes.size() - 1; k >= 0; k--) {
            Node n = nodes.get(k);
            if (toLoss.contains(n.out())) toLoss.addAll(n.inputs());
        }
        fromParams.retainAll(toLoss);
        return fromParams;
    }
}
