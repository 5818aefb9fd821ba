package dlm.codegen.jvm.kernels;

/**
 * The adjoint of {@link Im2col}: adds each entry of col[channels*kh*kw, outH*outW] back
 * into the input position it was read from (padding positions are dropped). Convolution
 * backward-input is dcol = W^T x dY (a TN GEMM) followed by this. It accumulates into
 * {@code x}; clear it first for a fresh gradient.
 */
public final class Col2im {
    private Col2im() {}

    public static void col2im(float[] col, int colOff, int channels, int h, int w,
                              int kh, int kw, int strideH, int strideW, int dilationH, int dilationW,
                              int padTop, int padLeft, int padBottom, int padRight,
                              float[] x, int xOff) {
        int oh0 = ConvGeometry.outSize(h, kh, strideH, dilationH, padTop, padBottom);
        int ow0 = ConvGeometry.outSize(w, kw, strideW, dilationW, padLeft, padRight);
        col2im(col, colOff, channels, h, w, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft, padBottom, padRight,
                x, xOff, oh0 * ow0);
    }

    /** The same reading col rows {@code ld} floats apart (see {@link Im2col}'s batched form). */
    public static void col2im(float[] col, int colOff, int channels, int h, int w,
                              int kh, int kw, int strideH, int strideW, int dilationH, int dilationW,
                              int padTop, int padLeft, int padBottom, int padRight,
                              float[] x, int xOff, int ld) {
        int oh = ConvGeometry.outSize(h, kh, strideH, dilationH, padTop, padBottom);
        int ow = ConvGeometry.outSize(w, kw, strideW, dilationW, padLeft, padRight);
        int row = colOff;
        for (int c = 0; c < channels; c++) {
            int plane = xOff + c * h * w;
            for (int i = 0; i < kh; i++) {
                int yBase = i * dilationH - padTop;
                for (int j = 0; j < kw; j++, row += ld) {
                    int xBase = j * dilationW - padLeft;
                    int lo = ConvGeometry.firstInside(xBase, strideW);
                    int hi = ConvGeometry.endInside(xBase, strideW, w, ow, lo);
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * strideH + yBase;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int s = row + oy * ow;
                        int dst = plane + iy * w + xBase;
                        if (strideW == 1 && Simd.ENABLED) {
                            RowsVector.add(col, s + lo, x, dst + lo, hi - lo);
                            continue;
                        }
                        for (int ox = lo; ox < hi; ox++) {
                            x[dst + ox * strideW] += col[s + ox];
                        }
                    }
                }
            }
        }
    }
}
