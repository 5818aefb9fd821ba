package dlm.codegen.jvm.kernels;

import java.util.Arrays;

/**
 * Unfolds one image (or one group of its channels) of an NCHW tensor into the matrix
 * col[channels*kh*kw, outH*outW], row (c*kh + i)*kw + j holding input channel c shifted
 * by tap (i, j). Convolution forward is then W[outC, channels*kh*kw] x col, one NN GEMM
 * per image and group; the weight gradient is dY x col^T (NT); see {@link Col2im} for
 * the input gradient.
 *
 * <p>Groups: call once per group with {@code xOff} at the group's first channel and
 * {@code channels} = channels per group.
 */
public final class Im2col {
    private Im2col() {}

    public static void im2col(float[] x, int xOff, int channels, int h, int w,
                              int kh, int kw, int strideH, int strideW, int dilationH, int dilationW,
                              int padTop, int padLeft, int padBottom, int padRight,
                              float[] col, int colOff) {
        int oh0 = ConvGeometry.outSize(h, kh, strideH, dilationH, padTop, padBottom);
        int ow0 = ConvGeometry.outSize(w, kw, strideW, dilationW, padLeft, padRight);
        im2col(x, xOff, channels, h, w, kh, kw, strideH, strideW, dilationH, dilationW, padTop, padLeft, padBottom, padRight,
                col, colOff, oh0 * ow0);
    }

    /**
     * The same with rows {@code ld} floats apart (ld >= outH*outW): several images side by side
     * in one column matrix [channels*kh*kw, images*outH*outW], for one GEMM over a batch.
     */
    public static void im2col(float[] x, int xOff, int channels, int h, int w,
                              int kh, int kw, int strideH, int strideW, int dilationH, int dilationW,
                              int padTop, int padLeft, int padBottom, int padRight,
                              float[] col, int colOff, int ld) {
        int oh = ConvGeometry.outSize(h, kh, strideH, dilationH, padTop, padBottom);
        int ow = ConvGeometry.outSize(w, kw, strideW, dilationW, padLeft, padRight);
        int row = colOff;
        for (int c = 0; c < channels; c++) {
            int plane = xOff + c * h * w;
            for (int i = 0; i < kh; i++) {
                int yBase = i * dilationH - padTop;
                for (int j = 0; j < kw; j++, row += ld) {
                    int xBase = j * dilationW - padLeft;
                    // Output columns whose input column is inside the image: no test per element.
                    int lo = ConvGeometry.firstInside(xBase, strideW);
                    int hi = ConvGeometry.endInside(xBase, strideW, w, ow, lo);
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * strideH + yBase;
                        int d = row + oy * ow;
                        if (iy < 0 || iy >= h || lo >= ow) {
                            Arrays.fill(col, d, d + ow, 0f);
                            continue;
                        }
                        for (int ox = 0; ox < lo; ox++) col[d + ox] = 0f;
                        int src = plane + iy * w + xBase;
                        if (strideW == 1) {
                            if (Simd.ENABLED) RowsVector.copy(x, src + lo, col, d + lo, hi - lo);
                            else System.arraycopy(x, src + lo, col, d + lo, hi - lo);
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                col[d + ox] = x[src + ox * strideW];
                            }
                        }
                        for (int ox = hi; ox < ow; ox++) col[d + ox] = 0f;
                    }
                }
            }
        }
    }
}
