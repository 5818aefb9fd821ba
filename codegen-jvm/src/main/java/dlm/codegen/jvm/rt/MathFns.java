package dlm.codegen.jvm.rt;


/**
 * The scalar functions of {@code Unary} and {@code UnaryGrad}, called from generated loops.
 * Each takes the op's alpha (only LEAKY_RELU reads it) so that every function has the same
 * call shape. Transcendentals are evaluated in double and rounded once, so that the float
 * results stay within an ulp or two of the reference interpreter; the cheap ones stay in
 * float so that C2 can vectorize the loops that inline them.
 */
public final class MathFns {
    private MathFns() {}

    public static float neg(float x, float alpha) { return -x; }
    public static float relu(float x, float alpha) { return x > 0 ? x : 0f; }
    public static float sigmoid(float x, float alpha) {
        double d = x;
        return (float) (d >= 0 ? 1 / (1 + Math.exp(-d)) : Math.exp(d) / (1 + Math.exp(d)));
    }
    public static float tanh(float x, float alpha) { return (float) Math.tanh(x); }
    public static float gelu(float x, float alpha) { return (float) (x * Erf.normalCdf(x)); }
    public static float leakyRelu(float x, float alpha) { return x > 0 ? x : alpha * x; }
    public static float exp(float x, float alpha) { return (float) Math.exp(x); }
    public static float log(float x, float alpha) { return (float) Math.log(x); }
    public static float log1p(float x, float alpha) { return (float) Math.log1p(x); }
    public static float sqrt(float x, float alpha) { return (float) Math.sqrt(x); }
    public static float rsqrt(float x, float alpha) { return (float) (1 / Math.sqrt(x)); }
    public static float abs(float x, float alpha) { return Math.abs(x); }
    public static float square(float x, float alpha) { return x * x; }
    public static float identity(float x, float alpha) { return x; }

    // derivatives times the incoming gradient: dx = dy * f'(x), torch's choices at the kinks

    public static float negGrad(float dy, float x, float alpha) { return -dy; }
    public static float reluGrad(float dy, float x, float alpha) { return x > 0 ? dy : 0f * dy; }
    public static float sigmoidGrad(float dy, float x, float alpha) {
        double s = sigmoid(x, 0);
        return (float) (dy * (s * (1 - s)));
    }
    public static float tanhGrad(float dy, float x, float alpha) {
        double t = Math.tanh(x);
        return (float) (dy * (1 - t * t));
    }
    public static float geluGrad(float dy, float x, float alpha) {
        return (float) (dy * (Erf.normalCdf(x) + x * Erf.normalPdf(x)));
    }
    public static float leakyReluGrad(float dy, float x, float alpha) { return x > 0 ? dy : dy * alpha; }
    public static float expGrad(float dy, float x, float alpha) { return (float) (dy * Math.exp(x)); }
    public static float logGrad(float dy, float x, float alpha) { return (float) (dy * (1.0 / x)); }
    public static float log1pGrad(float dy, float x, float alpha) { return (float) (dy * (1 / (1 + (double) x))); }
    public static float sqrtGrad(float dy, float x, float alpha) { return (float) (dy * (0.5 / Math.sqrt(x))); }
    public static float rsqrtGrad(float dy, float x, float alpha) {
        double d = x;
        return (float) (dy * (-0.5 / (d * Math.sqrt(d))));
    }
    public static float absGrad(float dy, float x, float alpha) { return dy * Math.signum(x); }
    public static float squareGrad(float dy, float x, float alpha) { return dy * (2 * x); }
    public static float identityGrad(float dy, float x, float alpha) { return dy; }

    // helpers of the reduction gradients

    /** 1 where x equals the max y, else 0: counts ties. */
    public static float equal(float x, float y) { return x == y ? 1f : 0f; }

    /** dx of amax: dy shared evenly among the ties. */
    public static float maxGrad(float dy, float x, float y, float ties) { return x == y ? dy / ties : 0f; }

    /** dx of the unbiased variance: dy * 2 (x - mean) / (n - 1). */
    public static float varGrad(float dy, float x, float mean, float nm1) { return (float) (dy * 2.0 * ((double) x - mean) / nm1); }

    /** -(y log p + (1-y) log(1-p)), each log clamped at -100, as torch. */
    public static float binaryCrossEntropy(float p, float y) {
        double pd = p, yd = y;
        return (float) -(yd * Math.max(Math.log(pd), -100) + (1 - yd) * Math.max(Math.log(1 - pd), -100));
    }

    /** torch's backward: dy (p - y) / max(p (1 - p), 1e-12), finite at p = 0 and 1. */
    public static float binaryCrossEntropyGrad(float dy, float p, float y) {
        double pd = p;
        return (float) (dy * (pd - y) / Math.max(pd * (1 - pd), 1e-12));
    }
}
