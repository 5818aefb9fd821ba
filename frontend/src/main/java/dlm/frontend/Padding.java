package dlm.frontend;

/**
 * Padding of a 2-D window op (convolution, pooling) from {@code pad=valid|same|N}.
 * {@code same} follows TensorFlow/Keras: the output is ceil(in / stride) and the extra row or
 * column goes to the bottom or right. With stride 1 this is exactly PyTorch's
 * {@code padding='same'} (total dilation*(k-1), extra on the bottom/right).
 */
record Padding(int top, int left, int bottom, int right) {

    static Padding of(Val pad, int h, int w, int kernel, int stride, int dilation) {
        if (pad instanceof Val.Num n) {
            int p = n.intValue();
            return new Padding(p, p, p, p);
        }
        String s = ((Val.Sym) pad).name();
        if (s.equals("valid")) return new Padding(0, 0, 0, 0);
        int eff = dilation * (kernel - 1) + 1;
        int th = same(h, eff, stride), tw = same(w, eff, stride);
        return new Padding(th / 2, tw / 2, th - th / 2, tw - tw / 2);
    }

    private static int same(int in, int effKernel, int stride) {
        int out = (in + stride - 1) / stride;
        return Math.max((out - 1) * stride + effKernel - in, 0);
    }

    static boolean isSame(Val pad) { return pad instanceof Val.Sym s && s.name().equals("same"); }
}
