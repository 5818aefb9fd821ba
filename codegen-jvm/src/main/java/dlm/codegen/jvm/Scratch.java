package dlm.codegen.jvm;

import dlm.codegen.jvm.rt.ConvNhwc;
import dlm.codegen.jvm.rt.LinearOps;
import dlm.ir.Node;
import dlm.ir.Op;

/** Floats of temporary arena space an op needs while it runs (and only then). */
final class Scratch {
    private Scratch() {}

    static long floats(Node n, int batch) {
        return Math.max(imageColumns(n, batch), direct(n, batch));
    }

    /** A stride-1 convolution's direct form (see LinearOps.directScratch). */
    private static long direct(Node n, int batch) {
        return switch (n.op()) {
            case Op.Conv2d c -> {
                int[] x = n.input(0).shape().resolve(batch), w = n.input(1).shape().resolve(batch);
                yield LinearOps.directScratch(0, c.groups(), x[1], x[2], x[3], w[0], w[2], w[3], c.stride(), c.dilation(),
                        c.padTop(), c.padLeft(), c.padBottom(), c.padRight());
            }
            case Op.Conv2dGradInput c -> {
                int[] w = n.input(1).shape().resolve(batch), x = n.out().shape().resolve(batch);
                yield LinearOps.directScratch(1, c.groups(), x[1], x[2], x[3], w[0], w[2], w[3], c.stride(), c.dilation(),
                        c.padTop(), c.padLeft(), c.padBottom(), c.padRight());
            }
            case Op.Conv2dGradWeight c -> {
                int[] dy = n.input(0).shape().resolve(batch), x = n.input(1).shape().resolve(batch);
                yield LinearOps.directScratch(2, c.groups(), x[1], x[2], x[3], dy[1], c.kh(), c.kw(), c.stride(), c.dilation(),
                        c.padTop(), c.padLeft(), c.padBottom(), c.padRight());
            }
            default -> 0;
        };
    }

    /** Column matrices (im2col) and the other ops' temporaries. */
    private static long imageColumns(Node n, int batch) {
        return switch (n.op()) {
            case Op.Conv2d c -> {
                int[] x = n.input(0).shape().resolve(batch), w = n.input(1).shape().resolve(batch), y = n.out().shape().resolve(batch);
                if (LinearOps.batched(c.groups(), w[2], w[3], c.stride(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight()))
                    yield LinearOps.batchedScratch(x[0], x[1] * w[2] * w[3], w[0], y[2] * y[3]);
                yield pointwise(w[2], w[3], c.stride(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight())
                        ? 0 : (long) (x[1] / c.groups()) * w[2] * w[3] * y[2] * y[3];
            }
            case Op.Conv2dGradInput c -> {
                int[] dy = n.input(0).shape().resolve(batch), w = n.input(1).shape().resolve(batch);
                if (LinearOps.batched(c.groups(), w[2], w[3], c.stride(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight()))
                    yield LinearOps.batchedScratch(dy[0], w[1] * w[2] * w[3], dy[1], dy[2] * dy[3]);
                yield pointwise(w[2], w[3], c.stride(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight())
                        ? 0 : (long) w[1] * w[2] * w[3] * dy[2] * dy[3];
            }
            case Op.Conv2dGradWeight c -> {
                int[] dy = n.input(0).shape().resolve(batch), x = n.input(1).shape().resolve(batch);
                if (LinearOps.batched(c.groups(), c.kh(), c.kw(), c.stride(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight()))
                    yield LinearOps.batchedScratch(dy[0], x[1] * c.kh() * c.kw(), dy[1], dy[2] * dy[3]);
                yield pointwise(c.kh(), c.kw(), c.stride(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight())
                        ? 0 : (long) (x[1] / c.groups()) * c.kh() * c.kw() * dy[2] * dy[3];
            }
            case Op.Conv2dNhwc c -> {
                int[] x = n.input(0).shape().resolve(batch), w = n.input(1).shape().resolve(batch), y = n.out().shape().resolve(batch);
                yield ConvNhwc.scratch(x[0], x[3], w[0], w[2], w[3], y[1], y[2], c.stride(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight());
            }
            case Op.Conv2dNhwcGradInput c -> {
                int[] dy = n.input(0).shape().resolve(batch), w = n.input(1).shape().resolve(batch), x = n.out().shape().resolve(batch);
                yield ConvNhwc.scratch(x[0], x[3], w[0], w[2], w[3], dy[1], dy[2], c.stride(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight());
            }
            case Op.Conv2dNhwcGradWeight c -> {
                int[] dy = n.input(0).shape().resolve(batch), x = n.input(1).shape().resolve(batch);
                yield ConvNhwc.scratch(x[0], x[3], dy[3], c.kh(), c.kw(), dy[1], dy[2], c.stride(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight());
            }
            case Op.Reduce r when r.fn() == Op.ReduceFn.VAR_UNBIASED -> n.out().shape().numel(batch);
            case Op.ReduceGrad r when r.fn() == Op.ReduceFn.MAX || r.fn() == Op.ReduceFn.VAR_UNBIASED -> n.input(0).shape().numel(batch);
            default -> 0;
        };
    }

    /** A 1x1 convolution with stride 1 and no padding reads its input as the column matrix. */
    static boolean pointwise(int kh, int kw, int stride, int pt, int pl, int pb, int pr) {
        return kh == 1 && kw == 1 && stride == 1 && pt == 0 && pl == 0 && pb == 0 && pr == 0;
    }
}
