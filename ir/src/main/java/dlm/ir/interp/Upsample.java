package dlm.ir.interp;

import dlm.ir.Op.UpsampleMode;

/**
 * Upsampling of [N, C, H, W] by an integer scale, as torch.nn.Upsample(scale_factor=s): NEAREST
 * reads source floor(o / s); BILINEAR uses align_corners=False, source coordinate
 * (o + 0.5) / s - 0.5 clamped at 0, interpolating between floor and the next (clamped) row.
 * Both are linear maps given as taps (source index, weight), so the gradient is the same taps
 * read backwards.
 */
final class Upsample {
    private Upsample() {}

    /** Taps of one output coordinate along one axis of input size in: {i0, i1} with weights {w0, w1}. */
    record Taps(int i0, int i1, double w0, double w1) {}

    static Taps taps(UpsampleMode mode, int o, int scale, int in) {
        return switch (mode) {
            case NEAREST -> new Taps(Math.min(o / scale, in - 1), 0, 1, 0);
            case BILINEAR -> {
                double src = Math.max((o + 0.5) / scale - 0.5, 0);
                int i0 = Math.min((int) Math.floor(src), in - 1);
                int i1 = Math.min(i0 + 1, in - 1);
                double l1 = src - i0;
                yield new Taps(i0, i1, 1 - l1, l1);
            }
        };
    }

    static Tensor forward(UpsampleMode mode, int scale, Tensor x) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3), oh = h * scale, ow = w * scale;
        Tensor y = Tensor.zeros(n, c, oh, ow);
        for (int p = 0; p < n * c; p++)
            for (int oy = 0; oy < oh; oy++) {
                Taps ty = taps(mode, oy, scale, h);
                for (int ox = 0; ox < ow; ox++) {
                    Taps tx = taps(mode, ox, scale, w);
                    double s = 0;
                    for (int a = 0; a < 2; a++)
                        for (int b = 0; b < 2; b++) {
                            double wt = (a == 0 ? ty.w0() : ty.w1()) * (b == 0 ? tx.w0() : tx.w1());
                            if (wt == 0) continue;
                            s += wt * x.data()[(p * h + (a == 0 ? ty.i0() : ty.i1())) * w + (b == 0 ? tx.i0() : tx.i1())];
                        }
                    y.data()[(p * oh + oy) * ow + ox] = s;
                }
            }
        return y;
    }

    static Tensor grad(UpsampleMode mode, int scale, Tensor dy) {
        int n = dy.dim(0), c = dy.dim(1), oh = dy.dim(2), ow = dy.dim(3);
        if (oh % scale != 0 || ow % scale != 0)
            throw new IllegalArgumentException("upsample_grad: dy " + java.util.Arrays.toString(dy.shape()) + " is not a multiple of scale " + scale);
        int h = oh / scale, w = ow / scale;
        Tensor dx = Tensor.zeros(n, c, h, w);
        for (int p = 0; p < n * c; p++)
            for (int oy = 0; oy < oh; oy++) {
                Taps ty = taps(mode, oy, scale, h);
                for (int ox = 0; ox < ow; ox++) {
                    Taps tx = taps(mode, ox, scale, w);
                    double d = dy.data()[(p * oh + oy) * ow + ox];
                    for (int a = 0; a < 2; a++)
                        for (int b = 0; b < 2; b++) {
                            double wt = (a == 0 ? ty.w0() : ty.w1()) * (b == 0 ? tx.w0() : tx.w1());
                            if (wt == 0) continue;
                            dx.data()[(p * h + (a == 0 ? ty.i0() : ty.i1())) * w + (b == 0 ? tx.i0() : tx.i1())] += wt * d;
                        }
                }
            }
        return dx;
    }
}
