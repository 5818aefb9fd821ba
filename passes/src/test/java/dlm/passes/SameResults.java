package dlm.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dlm.ir.DType;
import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Verifier;
import dlm.ir.interp.Interpreter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The check every optimization pass must pass: the graph before and after it computes the same
 * outputs and the same updated state, on random feeds and random state, at several batch sizes.
 * Values must be equal, not close: the passes only remove work, they do not reassociate. Equal
 * means == (so 0.0 equals -0.0, which x+0 -> x may turn into each other) or both NaN.
 */
public final class SameResults {
    private SameResults() {}

    /** Integer feeds (class ids) are drawn from [0, this). */
    public static final int IDS = 2;

    public static void assertSame(Graph before, Graph after, long seed) {
        Verifier.verify(before);
        Verifier.verify(after);
        for (int batch : new int[] {1, 3}) {
            SplittableRandom r = new SplittableRandom(seed + batch);
            Map<String, double[]> feeds = new HashMap<>();
            for (Node n : leaves(before, Op.Input.class, Op.Target.class)) {
                String name = n.op() instanceof Op.Input i ? i.name() : ((Op.Target) n.op()).name();
                double[] d = new double[(int) n.out().shape().numel(batch)];
                for (int i = 0; i < d.length; i++) d[i] = n.out().dtype() == DType.I32 ? r.nextInt(IDS) : r.nextDouble(-2, 2);
                feeds.put(name, d);
            }
            Map<String, double[]> state = new HashMap<>();
            for (Node n : before.params()) {
                double[] d = new double[(int) n.out().shape().numel(1)];
                for (int i = 0; i < d.length; i++) d[i] = r.nextDouble(0.1, 1.5); // positive: Adam's v and sqrt
                state.put(((Op.Param) n.op()).name(), d);
            }
            Map<String, double[]> s1 = copy(state), s2 = copy(state);
            Map<String, double[]> o1 = new Interpreter(before).withSeed(seed).run(batch, feeds, s1);
            Map<String, double[]> o2 = new Interpreter(after).withSeed(seed).run(batch, feeds, s2);
            assertEquals(o1.keySet(), o2.keySet(), "outputs");
            o1.forEach((k, v) -> equal("output " + k + " at batch " + batch, v, o2.get(k)));
            assertEquals(s1.keySet(), s2.keySet(), "state");
            s1.forEach((k, v) -> equal("update of " + k + " at batch " + batch, v, s2.get(k)));
        }
    }

    @SafeVarargs
    private static List<Node> leaves(Graph g, Class<? extends Op>... kinds) {
        List<Node> out = new ArrayList<>();
        for (Class<? extends Op> k : kinds) out.addAll(g.nodesOf(k));
        return out;
    }

    private static Map<String, double[]> copy(Map<String, double[]> m) {
        Map<String, double[]> c = new HashMap<>();
        m.forEach((k, v) -> c.put(k, v.clone()));
        return c;
    }

    private static void equal(String what, double[] a, double[] b) {
        if (a.length != b.length) fail(what + ": " + a.length + " values before, " + b.length + " after");
        for (int i = 0; i < a.length; i++)
            if (!(a[i] == b[i] || Double.isNaN(a[i]) && Double.isNaN(b[i])))
                fail(what + "[" + i + "]: " + a[i] + " before, " + b[i] + " after; before: " + Arrays.toString(Arrays.copyOf(a, Math.min(8, a.length))));
    }
}
