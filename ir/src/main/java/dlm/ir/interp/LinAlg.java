package dlm.ir.interp;

import java.util.Arrays;

/** Matrix product over the last two axes. */
final class LinAlg {
    private LinAlg() {}

    /**
     * a is [..., M, K] ([..., K, M] when transA); b is [K, N] ([N, K] when transB), shared by
     * every leading index of a, or has a's leading axes (a batched product).
     */
    static Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        int ra = a.rank(), rb = b.rank();
        if (ra < 2 || rb < 2) throw new IllegalArgumentException("mat_mul needs matrices: " + Arrays.toString(a.shape()) + ", " + Arrays.toString(b.shape()));
        int m = a.dim(transA ? ra - 1 : ra - 2), k = a.dim(transA ? ra - 2 : ra - 1);
        int kb = b.dim(transB ? rb - 1 : rb - 2), n = b.dim(transB ? rb - 2 : rb - 1);
        if (k != kb) throw new IllegalArgumentException("mat_mul inner dimensions differ: " + Arrays.toString(a.shape()) + ", " + Arrays.toString(b.shape()));
        int lead = Tensor.prod(a.shape(), 0, ra - 2);
        boolean shared = rb == 2;
        if (!shared && !Arrays.equals(Arrays.copyOf(a.shape(), ra - 2), Arrays.copyOf(b.shape(), rb - 2)))
            throw new IllegalArgumentException("mat_mul leading dimensions differ: " + Arrays.toString(a.shape()) + ", " + Arrays.toString(b.shape()));
        int[] outShape = Arrays.copyOf(a.shape(), ra);
        outShape[ra - 2] = m;
        outShape[ra - 1] = n;
        double[] y = new double[Tensor.numel(outShape)];
        for (int l = 0; l < lead; l++) {
            int ao = l * m * k, bo = shared ? 0 : l * k * n, yo = l * m * n;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        double av = a.data()[ao + (transA ? p * m + i : i * k + p)];
                        double bv = b.data()[bo + (transB ? j * k + p : p * n + j)];
                        s += av * bv;
                    }
                    y[yo + i * n + j] = s;
                }
        }
        return new Tensor(outShape, y);
    }
}
