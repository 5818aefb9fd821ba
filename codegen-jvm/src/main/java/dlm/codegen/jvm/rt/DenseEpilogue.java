package dlm.codegen.jvm.rt;

import dlm.codegen.jvm.kernels.GemmEpilogue;

/**
 * The epilogue of a dense layer's product C[rows, n] (row-major, at {@code c}), per finished
 * block of C: the bias is per column, the residual, the stored activation input and the output
 * are laid out like C. One per {@link RunContext}, refilled by each call (no allocation).
 */
final class DenseEpilogue implements GemmEpilogue {
    private int c, n, bias, res, act, pre, out;
    private boolean resAfter;
    private float alpha;

    DenseEpilogue set(int c, int n, int bias, int res, boolean resAfter, int act, float alpha, int pre, int out) {
        this.c = c; this.n = n; this.bias = bias; this.res = res; this.resAfter = resAfter;
        this.act = act; this.alpha = alpha; this.pre = pre; this.out = out;
        return this;
    }

    @Override public void finish(float[] t, int i0, int i1, int j0, int j1) {
        rows(t, c, n, i0, i1, j0, j1, bias, res, resAfter, act, alpha, pre, out);
    }

    /** The epilogue of rows [i0, i1), columns [j0, j1) of a product at c with n columns. */
    static void rows(float[] t, int c, int n, int i0, int i1, int j0, int j1,
                     int bias, int res, boolean resAfter, int act, float alpha, int pre, int out) {
        for (int i = i0; i < i1; i++) {
            int at = i * n + j0;
            EpilogueOps.run(t, c + at, j1 - j0, bias < 0 ? -1 : bias + j0, 1, res < 0 ? -1 : res + at, resAfter,
                    act, alpha, pre < 0 ? -1 : pre + at, out + at);
        }
    }
}
