package dlm.codegen.jvm.rt;

import dlm.codegen.jvm.kernels.LaneSum;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Products of a batched convolution, where one side is small (the filters) and the other very
 * wide (columns of every image): packing the wide side, as the general SGEMM does, costs as
 * much as multiplying, so these read it in place, one cache-line-wide strip at a time, and keep
 * the strip in L1 while every filter row goes over it. Loaded only when Simd.ENABLED.
 *
 * <p>Every output float is one fixed sequence of operations whatever range of rows and columns
 * a call covers, so that splitting a product over threads or groups of images never changes a
 * bit (see BatchedConvSplit).
 */
final class ConvGemmVector {
    private ConvGemmVector() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** Row tables of the strided form of {@link #nn}, one pair per thread (kernel threads live as long as their team). */
    private static final ThreadLocal<RowTables> TABLES = ThreadLocal.withInitial(RowTables::new);

    private static final class RowTables {
        int[] a = new int[0], b = new int[0];
        /** A partial strip of {@link #strip1}, computed whole: m x L floats. */
        float[] tile = new float[0];
        /** The eight accumulators of {@link #dots4x2}, stored before their lanes are summed. */
        final float[] lanes = new float[8 * L];
    }

    /**
     * c[i, j] = sum_p a(i, p) b[p, j] for i < m, j < n, p < k, where a(i, p) = a[aOff + i*ars + p*acs]
     * (a row-major [m, k] matrix or the transpose of a [k, m] one), b rows ldb apart, c rows ldc apart.
     */
    static void nn(int m, int n, int k, float[] t, int aOff, int ars, int acs, int bOff, int ldb, int cOff, int ldc) {
        RowTables r = TABLES.get();
        if (r.a.length < m) r.a = new int[m];
        if (r.b.length < k) r.b = new int[k];
        for (int i = 0; i < m; i++) r.a[i] = i * ars;
        for (int p = 0; p < k; p++) r.b[p] = p * ldb;
        nn(m, n, k, t, aOff, r.a, acs, bOff, r.b, cOff, ldc, false);
    }

    /**
     * c[i, j] (+)= sum_p a(i, p) b(p, j) for i < m, j < n, p < k, where a(i, p) = t[aOff + aRows[i] + p*acs]
     * and b(p, j) = t[bOff + bRows[p] + j]: rows anywhere, so that a convolution can read shifted
     * windows of an image as the rows of a matrix without copying them. Each c[i, j] is the chain
     * fma(a(i, k-1), b(k-1, j), ... fma(a(i, 0), b(0, j), c0)) with c0 = 0 or, when
     * {@code accumulate}, the value c[i, j] had: in a vector lane or, for the last columns, a
     * masked lane, the same bits either way. The last strip of columns may read up to a vector
     * past column n - 1 of a b row (never past the array): those lanes are not stored.
     */
    static void nn(int m, int n, int k, float[] t, int aOff, int[] aRows, int acs, int bOff, int[] bRows,
                   int cOff, int ldc, boolean accumulate) {
        int j = 0;
        for (; j + 2 * L <= n; j += 2 * L) strip2(m, k, t, aOff, aRows, acs, bOff + j, bRows, cOff + j, ldc, accumulate);
        if (j == n) return;
        int last = 0;
        for (int p = 0; p < k; p++) last = Math.max(last, bRows[p]);
        boolean whole = bOff + last + n - 1 + L <= t.length; // every b load of the last strips fits in the array
        for (; j < n; j += L)
            strip1(m, k, t, aOff, aRows, acs, bOff + j, bRows, cOff + j, ldc, accumulate, Math.min(L, n - j), whole || j + L <= n);
    }

    /**
     * Columns [0, 2L) of b and c (offsets already moved to the strip): six rows at a time (12
     * accumulators, 2 b vectors and a broadcast fill AVX2's 16 registers), then four, then one.
     * One small method per block size: a method holding all three grows past what C2 compiles
     * with its vectors in registers.
     */
    private static void strip2(int m, int k, float[] t, int aOff, int[] aRows, int acs, int b, int[] bRows, int c, int ldc,
                               boolean accumulate) {
        int i = 0;
        for (; i + 6 <= m; i += 6) rows6(k, t, aOff, aRows, i, acs, b, bRows, c + i * ldc, ldc, accumulate);
        for (; i + 4 <= m; i += 4) rows4(k, t, aOff, aRows, i, acs, b, bRows, c + i * ldc, ldc, accumulate);
        for (; i < m; i++) rows1(k, t, aOff + aRows[i], acs, b, bRows, c + i * ldc, accumulate);
    }

    private static void rows6(int k, float[] t, int aOff, int[] aRows, int i, int acs, int b, int[] bRows, int cr, int ldc,
                              boolean accumulate) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        if (accumulate) {
            c00 = FloatVector.fromArray(S, t, cr); c01 = FloatVector.fromArray(S, t, cr + L);
            c10 = FloatVector.fromArray(S, t, cr + ldc); c11 = FloatVector.fromArray(S, t, cr + ldc + L);
            c20 = FloatVector.fromArray(S, t, cr + 2 * ldc); c21 = FloatVector.fromArray(S, t, cr + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, t, cr + 3 * ldc); c31 = FloatVector.fromArray(S, t, cr + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, t, cr + 4 * ldc); c41 = FloatVector.fromArray(S, t, cr + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, t, cr + 5 * ldc); c51 = FloatVector.fromArray(S, t, cr + 5 * ldc + L);
        }
        int a0 = aOff + aRows[i], a1 = aOff + aRows[i + 1], a2 = aOff + aRows[i + 2];
        int a3 = aOff + aRows[i + 3], a4 = aOff + aRows[i + 4], a5 = aOff + aRows[i + 5];
        for (int p = 0; p < k; p++) {
            int br = b + bRows[p], ap = p * acs;
            FloatVector b0 = FloatVector.fromArray(S, t, br), b1 = FloatVector.fromArray(S, t, br + L);
            FloatVector x = FloatVector.broadcast(S, t[a0 + ap]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, t[a1 + ap]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, t[a2 + ap]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, t[a3 + ap]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, t[a4 + ap]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, t[a5 + ap]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        c00.intoArray(t, cr); c01.intoArray(t, cr + L);
        c10.intoArray(t, cr + ldc); c11.intoArray(t, cr + ldc + L);
        c20.intoArray(t, cr + 2 * ldc); c21.intoArray(t, cr + 2 * ldc + L);
        c30.intoArray(t, cr + 3 * ldc); c31.intoArray(t, cr + 3 * ldc + L);
        c40.intoArray(t, cr + 4 * ldc); c41.intoArray(t, cr + 4 * ldc + L);
        c50.intoArray(t, cr + 5 * ldc); c51.intoArray(t, cr + 5 * ldc + L);
    }

    private static void rows4(int k, float[] t, int aOff, int[] aRows, int i, int acs, int b, int[] bRows, int cr, int ldc,
                              boolean accumulate) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        if (accumulate) {
            c00 = FloatVector.fromArray(S, t, cr); c01 = FloatVector.fromArray(S, t, cr + L);
            c10 = FloatVector.fromArray(S, t, cr + ldc); c11 = FloatVector.fromArray(S, t, cr + ldc + L);
            c20 = FloatVector.fromArray(S, t, cr + 2 * ldc); c21 = FloatVector.fromArray(S, t, cr + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, t, cr + 3 * ldc); c31 = FloatVector.fromArray(S, t, cr + 3 * ldc + L);
        }
        int a0 = aOff + aRows[i], a1 = aOff + aRows[i + 1], a2 = aOff + aRows[i + 2], a3 = aOff + aRows[i + 3];
        for (int p = 0; p < k; p++) {
            int br = b + bRows[p], ap = p * acs;
            FloatVector b0 = FloatVector.fromArray(S, t, br), b1 = FloatVector.fromArray(S, t, br + L);
            FloatVector x0 = FloatVector.broadcast(S, t[a0 + ap]);
            c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(S, t[a1 + ap]);
            c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(S, t[a2 + ap]);
            c20 = x2.fma(b0, c20); c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(S, t[a3 + ap]);
            c30 = x3.fma(b0, c30); c31 = x3.fma(b1, c31);
        }
        c00.intoArray(t, cr); c01.intoArray(t, cr + L);
        c10.intoArray(t, cr + ldc); c11.intoArray(t, cr + ldc + L);
        c20.intoArray(t, cr + 2 * ldc); c21.intoArray(t, cr + 2 * ldc + L);
        c30.intoArray(t, cr + 3 * ldc); c31.intoArray(t, cr + 3 * ldc + L);
    }

    private static void rows1(int k, float[] t, int a0, int acs, int b, int[] bRows, int cr, boolean accumulate) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0;
        if (accumulate) {
            c0 = FloatVector.fromArray(S, t, cr); c1 = FloatVector.fromArray(S, t, cr + L);
        }
        for (int p = 0; p < k; p++) {
            int br = b + bRows[p];
            FloatVector x = FloatVector.broadcast(S, t[a0 + p * acs]);
            c0 = x.fma(FloatVector.fromArray(S, t, br), c0);
            c1 = x.fma(FloatVector.fromArray(S, t, br + L), c1);
        }
        c0.intoArray(t, cr);
        c1.intoArray(t, cr + L);
    }

    /**
     * Columns [0, L) of b and c, of which the first {@code valid} are stored. A whole strip goes
     * straight into c; a partial one (the last columns) is computed whole into a per-thread tile,
     * reading b a vector at a time (the extra lanes read past column n - 1, never past the array:
     * {@code whole}), and its valid columns are copied out; without room for that read, one float
     * at a time. No masks: masked vector code is large in C2's graph, and a step that inlines it
     * past C2's inlining budget leaves Vector API calls out, whose vectors then become objects
     * allocated on every iteration (seen: 690 KB per lenet5 b16 step, depending on what C2 had
     * compiled before). The floats are the same every way: each c[i, j] is the same chain of fmas.
     */
    private static void strip1(int m, int k, float[] t, int aOff, int[] aRows, int acs, int b, int[] bRows, int c, int ldc,
                               boolean accumulate, int valid, boolean whole) {
        if (valid == L) {
            rowBlocks1(m, k, t, aOff, aRows, acs, b, bRows, t, c, ldc, accumulate);
        } else if (whole) {
            RowTables r = TABLES.get();
            if (r.tile.length < m * L) r.tile = new float[m * L];
            float[] tile = r.tile;
            if (accumulate) {
                for (int i = 0; i < m; i++) System.arraycopy(t, c + i * ldc, tile, i * L, valid);
            }
            rowBlocks1(m, k, t, aOff, aRows, acs, b, bRows, tile, 0, L, accumulate);
            for (int i = 0; i < m; i++) System.arraycopy(tile, i * L, t, c + i * ldc, valid);
        } else {
            for (int i = 0; i < m; i++) {
                int a0 = aOff + aRows[i], cr = c + i * ldc;
                for (int j = 0; j < valid; j++) {
                    float acc = accumulate ? t[cr + j] : 0f;
                    for (int p = 0; p < k; p++) acc = Math.fma(t[a0 + p * acs], t[b + bRows[p] + j], acc);
                    t[cr + j] = acc;
                }
            }
        }
    }

    /** One vector of columns for rows [0, m): eight rows at a time, then four, then one; c rows of {@code out}. */
    private static void rowBlocks1(int m, int k, float[] t, int aOff, int[] aRows, int acs, int b, int[] bRows,
                                   float[] out, int c, int ldc, boolean accumulate) {
        int i = 0;
        for (; i + 8 <= m; i += 8) rows8(k, t, aOff, aRows, i, acs, b, bRows, out, c + i * ldc, ldc, accumulate);
        for (; i + 4 <= m; i += 4) rows4(k, t, aOff, aRows, i, acs, b, bRows, out, c + i * ldc, ldc, accumulate);
        for (; i < m; i++) rows1(k, t, aOff + aRows[i], acs, b, bRows, out, c + i * ldc, accumulate);
    }

    /** Eight chains of fused multiply-adds: enough to hide their latency on two FMA units. */
    private static void rows8(int k, float[] t, int aOff, int[] aRows, int i, int acs, int b, int[] bRows,
                              float[] out, int cr, int ldc, boolean accumulate) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        if (accumulate) {
            c0 = FloatVector.fromArray(S, out, cr); c1 = FloatVector.fromArray(S, out, cr + ldc);
            c2 = FloatVector.fromArray(S, out, cr + 2 * ldc); c3 = FloatVector.fromArray(S, out, cr + 3 * ldc);
            c4 = FloatVector.fromArray(S, out, cr + 4 * ldc); c5 = FloatVector.fromArray(S, out, cr + 5 * ldc);
            c6 = FloatVector.fromArray(S, out, cr + 6 * ldc); c7 = FloatVector.fromArray(S, out, cr + 7 * ldc);
        }
        int a0 = aOff + aRows[i], a1 = aOff + aRows[i + 1], a2 = aOff + aRows[i + 2], a3 = aOff + aRows[i + 3];
        int a4 = aOff + aRows[i + 4], a5 = aOff + aRows[i + 5], a6 = aOff + aRows[i + 6], a7 = aOff + aRows[i + 7];
        for (int p = 0; p < k; p++) {
            int ap = p * acs;
            FloatVector bv = FloatVector.fromArray(S, t, b + bRows[p]);
            c0 = FloatVector.broadcast(S, t[a0 + ap]).fma(bv, c0);
            c1 = FloatVector.broadcast(S, t[a1 + ap]).fma(bv, c1);
            c2 = FloatVector.broadcast(S, t[a2 + ap]).fma(bv, c2);
            c3 = FloatVector.broadcast(S, t[a3 + ap]).fma(bv, c3);
            c4 = FloatVector.broadcast(S, t[a4 + ap]).fma(bv, c4);
            c5 = FloatVector.broadcast(S, t[a5 + ap]).fma(bv, c5);
            c6 = FloatVector.broadcast(S, t[a6 + ap]).fma(bv, c6);
            c7 = FloatVector.broadcast(S, t[a7 + ap]).fma(bv, c7);
        }
        c0.intoArray(out, cr); c1.intoArray(out, cr + ldc); c2.intoArray(out, cr + 2 * ldc); c3.intoArray(out, cr + 3 * ldc);
        c4.intoArray(out, cr + 4 * ldc); c5.intoArray(out, cr + 5 * ldc); c6.intoArray(out, cr + 6 * ldc); c7.intoArray(out, cr + 7 * ldc);
    }

    private static void rows4(int k, float[] t, int aOff, int[] aRows, int i, int acs, int b, int[] bRows,
                              float[] out, int cr, int ldc, boolean accumulate) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        if (accumulate) {
            c0 = FloatVector.fromArray(S, out, cr); c1 = FloatVector.fromArray(S, out, cr + ldc);
            c2 = FloatVector.fromArray(S, out, cr + 2 * ldc); c3 = FloatVector.fromArray(S, out, cr + 3 * ldc);
        }
        int a0 = aOff + aRows[i], a1 = aOff + aRows[i + 1], a2 = aOff + aRows[i + 2], a3 = aOff + aRows[i + 3];
        for (int p = 0; p < k; p++) {
            int ap = p * acs;
            FloatVector bv = FloatVector.fromArray(S, t, b + bRows[p]);
            c0 = FloatVector.broadcast(S, t[a0 + ap]).fma(bv, c0);
            c1 = FloatVector.broadcast(S, t[a1 + ap]).fma(bv, c1);
            c2 = FloatVector.broadcast(S, t[a2 + ap]).fma(bv, c2);
            c3 = FloatVector.broadcast(S, t[a3 + ap]).fma(bv, c3);
        }
        c0.intoArray(out, cr); c1.intoArray(out, cr + ldc); c2.intoArray(out, cr + 2 * ldc); c3.intoArray(out, cr + 3 * ldc);
    }

    private static void rows1(int k, float[] t, int a0, int acs, int b, int[] bRows, float[] out, int cr, boolean accumulate) {
        FloatVector c0 = accumulate ? FloatVector.fromArray(S, out, cr) : FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
            c0 = FloatVector.broadcast(S, t[a0 + p * acs]).fma(FloatVector.fromArray(S, t, b + bRows[p]), c0);
        }
        c0.intoArray(out, cr);
    }

    /** Filters per block of {@link #filtersAsLanes}: two vectors. */
    static final int FILTER_BLOCK = 2 * L;

    /** Positions per pass of {@link #filtersAsLanes}. */
    static final int POSITIONS = 6;

    /**
     * out[s, j] (+)= sum_p x(s, p) w(p, j) for s < npos (a multiple of {@link #POSITIONS}) and j < nf
     * (a multiple of {@link #FILTER_BLOCK}), where x(s, p) = t[x + pos[s] + bRows[p]] and
     * w(p, j) = t[w + (j / FB) * k * FB + p * FB + j % FB] (FB = FILTER_BLOCK); out rows nf apart.
     * The filters are the vector lanes. In a forward convolution s runs over the valid output
     * positions and p over the taps, w being the filters transposed: where {@link #nn} over wide
     * rows computes the kw - 1 columns past each output row too, this computes only the outputs,
     * each as the chain of fused multiply-adds over p from 0 that {@link #nn} computes for
     * c[j, pos[s]] (the same bits). In a weight gradient s runs over the taps and p over the valid
     * positions, w being dy transposed. Each out[s, j] is one chain over p, from 0 or, when
     * {@code accumulate}, from the value it had.
     */
    static void filtersAsLanes(int npos, int nf, int k, float[] t, int x, int[] pos, int[] bRows, int w, int out,
                               boolean accumulate) {
        for (int j = 0; j < nf; j += FILTER_BLOCK)
            for (int s = 0; s < npos; s += POSITIONS)
                positions6(k, t, x, pos, s, bRows, w + j * k, out + s * nf + j, nf, accumulate);
    }

    /**
     * Six rows of {@link #filtersAsLanes} by two vectors of filters: twelve chains, as in
     * {@link #rows6}, with the operands the other way round (the image broadcast through the
     * position table, the filters loaded as vectors). Kept apart from rows6: one method for both
     * would add a table load to each step of rows6's inner loop.
     */
    private static void positions6(int k, float[] t, int x, int[] pos, int s, int[] bRows, int w, int out, int ldo,
                                   boolean accumulate) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        if (accumulate) {
            c00 = FloatVector.fromArray(S, t, out); c01 = FloatVector.fromArray(S, t, out + L);
            c10 = FloatVector.fromArray(S, t, out + ldo); c11 = FloatVector.fromArray(S, t, out + ldo + L);
            c20 = FloatVector.fromArray(S, t, out + 2 * ldo); c21 = FloatVector.fromArray(S, t, out + 2 * ldo + L);
            c30 = FloatVector.fromArray(S, t, out + 3 * ldo); c31 = FloatVector.fromArray(S, t, out + 3 * ldo + L);
            c40 = FloatVector.fromArray(S, t, out + 4 * ldo); c41 = FloatVector.fromArray(S, t, out + 4 * ldo + L);
            c50 = FloatVector.fromArray(S, t, out + 5 * ldo); c51 = FloatVector.fromArray(S, t, out + 5 * ldo + L);
        }
        int x0 = x + pos[s], x1 = x + pos[s + 1], x2 = x + pos[s + 2];
        int x3 = x + pos[s + 3], x4 = x + pos[s + 4], x5 = x + pos[s + 5];
        for (int p = 0; p < k; p++) {
            int br = bRows[p], wp = w + p * FILTER_BLOCK;
            FloatVector w0 = FloatVector.fromArray(S, t, wp), w1 = FloatVector.fromArray(S, t, wp + L);
            FloatVector a = FloatVector.broadcast(S, t[x0 + br]);
            c00 = a.fma(w0, c00); c01 = a.fma(w1, c01);
            a = FloatVector.broadcast(S, t[x1 + br]);
            c10 = a.fma(w0, c10); c11 = a.fma(w1, c11);
            a = FloatVector.broadcast(S, t[x2 + br]);
            c20 = a.fma(w0, c20); c21 = a.fma(w1, c21);
            a = FloatVector.broadcast(S, t[x3 + br]);
            c30 = a.fma(w0, c30); c31 = a.fma(w1, c31);
            a = FloatVector.broadcast(S, t[x4 + br]);
            c40 = a.fma(w0, c40); c41 = a.fma(w1, c41);
            a = FloatVector.broadcast(S, t[x5 + br]);
            c50 = a.fma(w0, c50); c51 = a.fma(w1, c51);
        }
        c00.intoArray(t, out); c01.intoArray(t, out + L);
        c10.intoArray(t, out + ldo); c11.intoArray(t, out + ldo + L);
        c20.intoArray(t, out + 2 * ldo); c21.intoArray(t, out + 2 * ldo + L);
        c30.intoArray(t, out + 3 * ldo); c31.intoArray(t, out + 3 * ldo + L);
        c40.intoArray(t, out + 4 * ldo); c41.intoArray(t, out + 4 * ldo + L);
        c50.intoArray(t, out + 5 * ldo); c51.intoArray(t, out + 5 * ldo + L);
    }

    /** K-chunk of {@link #nt}: a [4, KB] and b [2, KB] strips stay in L1. */
    private static final int KB = 1024;

    /**
     * c[i, q] (+)= sum_s a[i, s] b[q, s]: rows of a lda apart, of b ldb apart, of c ldc apart. Per
     * chunk of KB columns s, each c[i, q] gets the lane sum (LaneSum) of a vector of fused
     * multiply-adds, plus the last products one by one. A pair of b rows stays in L1 while the
     * rows of a go over it, four at a time.
     */
    static void nt(int m, int n, int k, float[] t, int aOff, int lda, int bOff, int ldb, int cOff, int ldc, boolean accumulate) {
        RowTables r = TABLES.get();
        if (r.b.length < n) r.b = new int[n];
        for (int q = 0; q < n; q++) r.b[q] = q * ldb;
        nt(m, n, k, t, aOff, lda, bOff, r.b, cOff, ldc, accumulate, r.lanes);
    }

    /** {@link #nt} with b row q at {@code bOff + bRows[q]}: a shifted window of an image, say. */
    static void nt(int m, int n, int k, float[] t, int aOff, int lda, int bOff, int[] bRows, int cOff, int ldc, boolean accumulate) {
        nt(m, n, k, t, aOff, lda, bOff, bRows, cOff, ldc, accumulate, TABLES.get().lanes);
    }

    private static void nt(int m, int n, int k, float[] t, int aOff, int lda, int bOff, int[] bRows, int cOff, int ldc,
                           boolean accumulate, float[] lanes) {
        if (!accumulate) for (int i = 0; i < m; i++) java.util.Arrays.fill(t, cOff + i * ldc, cOff + i * ldc + n, 0f);
        for (int s0 = 0; s0 < k; s0 += KB) {
            int s1 = Math.min(k, s0 + KB), vEnd = s0 + (s1 - s0) / L * L;
            for (int q = 0; q < n; q += 2) {
                int b0 = bOff + bRows[q], b1 = q + 1 < n ? bOff + bRows[q + 1] : -1;
                int i = 0;
                for (; i + 4 <= m; i += 4) dots4x2(t, aOff + i * lda, lda, b0, b1, s0, vEnd, s1, cOff + i * ldc + q, ldc, lanes);
                for (; i + 2 <= m; i += 2) dots2x2(t, aOff + i * lda, lda, b0, b1, s0, vEnd, s1, cOff + i * ldc + q, ldc, lanes);
                for (; i < m; i++) {
                    int a = aOff + i * lda, cr = cOff + i * ldc + q;
                    t[cr] += dot(t, a, b0, s0, vEnd, s1, lanes);
                    if (b1 >= 0) t[cr + 1] += dot(t, a, b1, s0, vEnd, s1, lanes);
                }
            }
        }
    }

    /**
     * c[r, 0] += a_r . b0 and c[r, 1] += a_r . b1 for four rows a_r lda apart (b1 < 0: no second column).
     * The accumulators go through {@code lanes} and are summed there in LaneSum's order: eight
     * inlined LaneSum.sum calls made C2 stop inlining at its node budget, and the vectors passed
     * to the calls left out were allocated on every call.
     */
    private static void dots4x2(float[] t, int a, int lda, int b0, int b1, int s0, int vEnd, int s1, int c, int ldc, float[] lanes) {
        int bb = b1 >= 0 ? b1 : b0;
        FloatVector s00 = FloatVector.zero(S), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;
        for (int s = s0; s < vEnd; s += L) {
            FloatVector y0 = FloatVector.fromArray(S, t, b0 + s), y1 = FloatVector.fromArray(S, t, bb + s);
            FloatVector x = FloatVector.fromArray(S, t, a + s);
            s00 = x.fma(y0, s00); s01 = x.fma(y1, s01);
            x = FloatVector.fromArray(S, t, a + lda + s);
            s10 = x.fma(y0, s10); s11 = x.fma(y1, s11);
            x = FloatVector.fromArray(S, t, a + 2 * lda + s);
            s20 = x.fma(y0, s20); s21 = x.fma(y1, s21);
            x = FloatVector.fromArray(S, t, a + 3 * lda + s);
            s30 = x.fma(y0, s30); s31 = x.fma(y1, s31);
        }
        s00.intoArray(lanes, 0); s10.intoArray(lanes, L); s20.intoArray(lanes, 2 * L); s30.intoArray(lanes, 3 * L);
        s01.intoArray(lanes, 4 * L); s11.intoArray(lanes, 5 * L); s21.intoArray(lanes, 6 * L); s31.intoArray(lanes, 7 * L);
        for (int r = 0; r < 4; r++) finish(t, a + r * lda, b0, vEnd, s1, lanes, r * L, c + r * ldc);
        if (b1 < 0) return;
        for (int r = 0; r < 4; r++) finish(t, a + r * lda, b1, vEnd, s1, lanes, (4 + r) * L, c + r * ldc + 1);
    }

    /** {@link #dots4x2} for two rows. */
    private static void dots2x2(float[] t, int a, int lda, int b0, int b1, int s0, int vEnd, int s1, int c, int ldc, float[] lanes) {
        int bb = b1 >= 0 ? b1 : b0;
        FloatVector s00 = FloatVector.zero(S), s01 = s00, s10 = s00, s11 = s00;
        for (int s = s0; s < vEnd; s += L) {
            FloatVector y0 = FloatVector.fromArray(S, t, b0 + s), y1 = FloatVector.fromArray(S, t, bb + s);
            FloatVector x = FloatVector.fromArray(S, t, a + s);
            s00 = x.fma(y0, s00); s01 = x.fma(y1, s01);
            x = FloatVector.fromArray(S, t, a + lda + s);
            s10 = x.fma(y0, s10); s11 = x.fma(y1, s11);
        }
        s00.intoArray(lanes, 0); s10.intoArray(lanes, L); s01.intoArray(lanes, 2 * L); s11.intoArray(lanes, 3 * L);
        finish(t, a, b0, vEnd, s1, lanes, 0, c);
        finish(t, a + lda, b0, vEnd, s1, lanes, L, c + ldc);
        if (b1 < 0) return;
        finish(t, a, b1, vEnd, s1, lanes, 2 * L, c + 1);
        finish(t, a + lda, b1, vEnd, s1, lanes, 3 * L, c + ldc + 1);
    }

    /** c += a . b over [s0, s1): the vector part, then the rest (see {@link #finish}). */
    private static float dot(float[] t, int a, int b, int s0, int vEnd, int s1, float[] lanes) {
        FloatVector acc = FloatVector.zero(S);
        for (int s = s0; s < vEnd; s += L) acc = FloatVector.fromArray(S, t, a + s).fma(FloatVector.fromArray(S, t, b + s), acc);
        acc.intoArray(lanes, 0);
        float r = LaneSum.sum(lanes, 0, L);
        for (int s = vEnd; s < s1; s++) r += t[a + s] * t[b + s];
        return r;
    }

    /** t[c] += (lane sum of lanes[at .. at+L)) + the products a[s] b[s] for s in [vEnd, s1), one by one. */
    private static void finish(float[] t, int a, int b, int vEnd, int s1, float[] lanes, int at, int c) {
        float r = LaneSum.sum(lanes, at, L);
        for (int s = vEnd; s < s1; s++) r += t[a + s] * t[b + s];
        t[c] += r;
    }
}
