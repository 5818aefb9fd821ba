package dlm.passes;

import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;

/**
 * Whether a network runs its convolutions in NHWC on the JVM backend: the rule of the
 * channels-last pass, from measurements on this backend (see bench/RESULTS.md).
 */
public final class LayoutRule {
    private LayoutRule() {}

    /** The choice for one network, with the reason shown by {@code dlm ir} and {@code dlm explain}. */
    public record Decision(boolean nhwc, String reason) {}

    public static Decision decide(Graph g) {
        int convs = 0;
        for (Node n : g.nodes()) if (n.op() instanceof Op.Conv2d c && c.groups() == 1) convs++;
        if (convs == 0) return new Decision(false, "NCHW: no ungrouped convolution");
        return new Decision(false, "NCHW: not measured yet");
    }
}
