package dlm.frontend;

/**
 * Padding of a 2-D window op (convolution, pooling) from {@code pad=valid|same|N}.
 * {@code same} gives an output of ceil(in / stride), as in Keras. For an odd (dilated) kernel
 * the padding is symmetric, (k-1)/2 on each side: that is the padding PyTorch models use
 * (torchvision's 3x3 stride-2 convolutions have padding=1, ResNet's 7x7 stem padding=3), so
 * weights trained in PyTorch see the same windows. Keras would put the odd row at the bottom
 * instead. For an even kernel the extra row or column goes to the bottom or right, as in both
 * Keras and PyTorch's {@code padding='same'}.
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
        if (eff % 2 == 1) {
            int p = (eff - 1) / 2;
            return new Padding(p, p, p, p);
        }
        int th = same(h, eff, stride), tw = same(w, eff, stride);
        return new Padding(th / 2, tw / 2, th - th / 2, tw - tw / 2);
    }

    private static int same(int in, int effKernel, int stride) {
        int out = (in + stride - 1) / stride;
        return Math.max((out - 1) * stride + effKernel - in, 0);
    }

    static boolean isSame(Val pad) { return pad instanceof Val.Sym s && s.name().equals("same"); }
}
