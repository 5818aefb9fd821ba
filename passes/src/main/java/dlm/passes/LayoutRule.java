package dlm.passes;

import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Shape;

/**
 * Whether a network runs its convolutions in NHWC on the JVM backend: the rule of the
 * channels-last pass, from LayoutBench on this machine (bench/RESULTS.md, 2026-11-22 04:05-04:22
 * UTC, NCHW/NHWC time ratios, > 1 when NHWC is faster): resnet50 prediction at batch 1 1.21x
 * and 1.25x; resnet_mini prediction at batch 32 0.94x; training steps resnet_mini batch 32
 * 0.80x, 0.93x, 1.18x and lenet5 batch 128 0.29x, 0.34x.
 *
 * <p>So: training graphs stay NCHW (the NCHW convolutions, forward and backward, and the NCHW
 * pooling are split over the kernel threads; the NHWC kernels are not yet). Inference graphs go NHWC when most of their convolution work has
 * wide inputs: with {@link #WIDE_CHANNELS} channels or more an im2col row is a few long
 * copies, the 1x1 convolutions (most of resnet50's bottlenecks) are one GEMM on the
 * activations as they lie, and the product needs no permute; with few channels (lenet5: 1
 * and 6, resnet_mini: 3 to 64) im2col copies runs of a few floats and the per-channel
 * pooling is slower. The rule weighs each ungrouped convolution by its multiply-adds.
 */
public final class LayoutRule {
    private LayoutRule() {}

    /** Input channels from which a convolution counts as wide. */
    static final int WIDE_CHANNELS = 64;
    /** Share of the convolution work on wide convolutions from which NHWC is chosen. */
    static final double WIDE_SHARE = 0.5;

    /** The choice for one network, with the reason shown by {@code dlm ir} and {@code dlm explain}. */
    public record Decision(boolean nhwc, String reason) {}

    /** Decides on a graph before or after the pass (it counts forward convolutions of either layout). */
    public static Decision decide(Graph g) {
        long total = 0, wide = 0;
        boolean training = false;
        for (Node n : g.nodes()) {
            Op op = n.op();
            training |= op instanceof Op.Conv2dGradWeight || op instanceof Op.Conv2dNhwcGradWeight
                    || op instanceof Op.Conv2dGradInput || op instanceof Op.Conv2dNhwcGradInput;
            int groups = op instanceof Op.Conv2d c ? c.groups() : op instanceof Op.Conv2dNhwc c ? c.groups() : 0;
            if (groups != 1) continue;
            Shape w = n.input(1).shape(), y = n.out().shape();
            int spatial = op instanceof Op.Conv2d ? y.dim(2) * y.dim(3) : y.dim(1) * y.dim(2);
            long macs = (long) spatial * w.dim(0) * w.dim(1) * w.dim(2) * w.dim(3);
            total += macs;
            if (w.dim(1) >= WIDE_CHANNELS) wide += macs;
        }
        if (total == 0) return new Decision(false, "NCHW: no ungrouped convolution");
        if (training) return new Decision(false, "NCHW: a training graph (NHWC training steps measured 0.3-1.2x, see LayoutRule)");
        double share = (double) wide / total;
        String why = String.format("%.0f%% of the convolution multiply-adds have >= %d input channels (NHWC from %.0f%%)",
                100 * share, WIDE_CHANNELS, 100 * WIDE_SHARE);
        return share >= WIDE_SHARE ? new Decision(true, "NHWC: " + why) : new Decision(false, "NCHW: only " + why);
    }
}
