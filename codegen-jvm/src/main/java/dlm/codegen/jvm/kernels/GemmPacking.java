package dlm.codegen.jvm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Copies blocks of A and B into the panel layouts the micro-kernel streams through.
 *
 * <p>A block of {@code mc x kc} becomes panels of {@code mr} rows, each stored k-major
 * ({@code mr} consecutive floats per k); B block of {@code kc x nc} becomes panels of
 * {@code nr} columns, each stored k-major too. Panels are zero-padded to full width, so
 * the micro-kernel never needs a bounds test on its inputs. Transposition is absorbed
 * here: the micro-kernel only ever sees one layout. Used by {@link SgemmVector} only, so
 * it may use the Vector API.
 */
final class GemmPacking {
    private GemmPacking() {}

    /**
     * Packs op(A)[0..mc, 0..kc] where element (i, p) is {@code a[off + i*lda + p]}, or
     * {@code a[off + p*lda + i]} if {@code transA}.
     */
    static void packA(boolean transA, int mc, int kc, float[] a, int off, int lda, float[] dst, int mr) {
        if (transA && mr == 4) {
            int full = mc / 4 * 4;
            packColumnsBy4(full, kc, a, off, lda, dst);
            if (full == mc) {
                return;
            }
            // the last, partial panel below
            packA(true, mc - full, kc, a, off + full, lda, dst, full * kc, mr);
            return;
        }
        packA(transA, mc, kc, a, off, lda, dst, 0, mr);
    }

    /**
     * Full panels of 4 rows of op(A) from A stored [k, m]: each panel row is 4 consecutive floats
     * of a stored row, copied as one 128-bit vector. K runs outer in steps of 16 so that the
     * stored rows being read (16 x mc floats) stay in L1 while every panel takes its 16 rows;
     * 3-6x faster than a scalar copy (64 x 512 block: 4 us against 22 us).
     */
    private static void packColumnsBy4(int mc, int kc, float[] a, int off, int lda, float[] dst) {
        VectorSpecies<Float> s4 = FloatVector.SPECIES_128;
        for (int p0 = 0; p0 < kc; p0 += 16) {
            int p1 = Math.min(kc, p0 + 16);
            for (int i0 = 0; i0 < mc; i0 += 4) {
                int base = i0 * kc;
                for (int p = p0; p < p1; p++) {
                    FloatVector.fromArray(s4, a, off + p * lda + i0).intoArray(dst, base + p * 4);
                }
            }
        }
    }

    private static void packA(boolean transA, int mc, int kc, float[] a, int off, int lda, float[] dst, int at, int mr) {
        for (int i0 = 0; i0 < mc; i0 += mr) {
            int rows = Math.min(mr, mc - i0);
            int base = at + i0 * kc;
            if (!transA) {
                for (int r = 0; r < rows; r++) {
                    int src = off + (i0 + r) * lda;
                    int d = base + r;
                    for (int p = 0; p < kc; p++, d += mr) {
                        dst[d] = a[src + p];
                    }
                }
                for (int r = rows; r < mr; r++) {
                    for (int p = 0, d = base + r; p < kc; p++, d += mr) {
                        dst[d] = 0f;
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = off + p * lda + i0;
                    int d = base + p * mr;
                    for (int r = 0; r < rows; r++) {
                        dst[d + r] = a[src + r];
                    }
                    for (int r = rows; r < mr; r++) {
                        dst[d + r] = 0f;
                    }
                }
            }
        }
    }

    /**
     * {@code rows} rows of {@code width} floats (a multiple of the vector length) from
     * {@code src} (stride {@code ld}) to consecutive rows at {@code dst[d]}. Vector copies:
     * {@code System.arraycopy} of 16 floats is a stub call with its own checks, which
     * showed as 3-4% of a 1024^3 SGEMM in profiles.
     */
    private static void copyRows(int rows, float[] src, int off, int ld, float[] dst, int d, int width) {
        VectorSpecies<Float> s = SgemmVector.S;
        for (int p = 0; p < rows; p++, off += ld, d += width) {
            for (int j = 0; j < width; j += s.length()) {
                FloatVector.fromArray(s, src, off + j).intoArray(dst, d + j);
            }
        }
    }

    /**
     * Packs op(B)[0..kc, 0..nc] where element (p, j) is {@code b[off + p*ldb + j]}, or
     * {@code b[off + j*ldb + p]} if {@code transB}.
     */
    static void packB(boolean transB, int kc, int nc, float[] b, int off, int ldb, float[] dst, int nr) {
        for (int j0 = 0; j0 < nc; j0 += nr) {
            int cols = Math.min(nr, nc - j0);
            int base = j0 * kc;
            if (!transB && cols == nr) {
                copyRows(kc, b, off + j0, ldb, dst, base, nr);
            } else if (!transB) {
                for (int p = 0; p < kc; p++) {
                    int d = base + p * nr;
                    System.arraycopy(b, off + p * ldb + j0, dst, d, cols);
                    for (int j = cols; j < nr; j++) {
                        dst[d + j] = 0f;
                    }
                }
            } else if (cols == nr && nr % 8 == 0) {
                // Eight rows of the stored [N, K] matrix at a time, k outer: each panel row gets
                // eight consecutive floats per pass (1.3x faster than a row at a time for 512 x 256)
                for (int j = 0; j < nr; j += 8) {
                    int s0 = off + (j0 + j) * ldb, s1 = s0 + ldb, s2 = s1 + ldb, s3 = s2 + ldb;
                    int s4 = s3 + ldb, s5 = s4 + ldb, s6 = s5 + ldb, s7 = s6 + ldb;
                    for (int p = 0; p < kc; p++) {
                        int d = base + p * nr + j;
                        dst[d] = b[s0 + p];
                        dst[d + 1] = b[s1 + p];
                        dst[d + 2] = b[s2 + p];
                        dst[d + 3] = b[s3 + p];
                        dst[d + 4] = b[s4 + p];
                        dst[d + 5] = b[s5 + p];
                        dst[d + 6] = b[s6 + p];
                        dst[d + 7] = b[s7 + p];
                    }
                }
            } else {
                // Read each row of the stored [N, K] matrix contiguously; the strided
                // writes stay inside one kc x nr panel, which fits in L1.
                for (int j = 0; j < cols; j++) {
                    int src = off + (j0 + j) * ldb;
                    for (int p = 0, d = base + j; p < kc; p++, d += nr) {
                        dst[d] = b[src + p];
                    }
                }
                for (int j = cols; j < nr; j++) {
                    for (int p = 0, d = base + j; p < kc; p++, d += nr) {
                        dst[d] = 0f;
                    }
                }
            }
        }
    }
}
