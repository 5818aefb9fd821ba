package dlm.codegen.jvm.rt;

/**
 * erf and erfc in double precision (about 1e-15), for the exact GELU. The JDK has none. A copy of
 * the reference interpreter's {@code dlm.ir.interp.Erf} (same algorithm, same results), so that
 * generated code and an ahead-of-time jar need nothing of the compiler.
 *
 * <p>|x| < 2: the everywhere-positive series erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (2n+1)!!
 * (no cancellation, unlike the alternating Taylor series). |x| >= 2: the continued fraction
 * erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated with
 * modified Lentz, which converges fast there and keeps erfc's relative accuracy in the tail.
 */
public final class Erf {
    private Erf() {}

    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double ONE_OVER_SQRT_PI = 0.5641895835477563;
    private static final double SQRT1_2 = 0.7071067811865476;

    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double a = Math.abs(x);
        if (a < 2) return series(x);
        return Math.copySign(1 - erfcTail(a), x);
    }

    public static double erfc(double x) {
        if (Double.isNaN(x)) return x;
        if (x < 2) return 1 - (x > -2 ? series(x) : -1 + erfcTail(-x));
        return erfcTail(x);
    }

    /** Standard normal CDF, Phi(x) = erfc(-x/sqrt 2)/2: accurate in both tails. */
    public static double normalCdf(double x) { return 0.5 * erfc(-x * SQRT1_2); }

    /** Standard normal density. */
    public static double normalPdf(double x) { return Math.exp(-0.5 * x * x) * 0.3989422804014327; }

    private static double series(double x) {
        double x2 = x * x, term = x, sum = x;
        for (int n = 1; n < 200; n++) {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
            if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
        }
        return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    }

    /** erfc(x) for x >= 2 by the continued fraction; underflows to 0 past about 27. */
    private static double erfcTail(double x) {
        if (x > 27) return 0;
        // K = x + a1/(x + a2/(x + ...)) with a_k = k/2; Lentz's method on b0 = x, b_k = x, a_k = k/2.
        double tiny = 1e-300, f = x, c = x, d = 0;
        for (int k = 1; k < 500; k++) {
            double ak = k * 0.5;
            d = x + ak * d;
            if (d == 0) d = tiny;
            c = x + ak / c;
            if (c == 0) c = tiny;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) break;
        }
        return Math.exp(-x * x) * ONE_OVER_SQRT_PI / f;
    }
}
