package dlm.runtime.train;

import dlm.runtime.DlmException;
import dlm.runtime.Prediction;
import dlm.runtime.Tensor;

import java.util.Arrays;

/**
 * The four losses of the language, computed on the host (for validation, where the model
 * only runs {@code predict}). Each is the mean over the batch as PyTorch's reduction='mean'
 * defines it; sums are accumulated in double.
 */
public final class Losses {
    private Losses() {}

    public static final String BCE = "binary_cross_entropy";
    public static final String BCE_LOGITS = "binary_cross_entropy_with_logits";
    public static final String CROSS_ENTROPY = "cross_entropy";
    public static final String MSE = "mse";

    /** The loss a prediction kind is trained with, when the caller does not say. */
    public static String forPrediction(Prediction p) {
        return switch (p) {
            case PROBABILITY -> BCE;
            case LOGITS -> BCE_LOGITS;
            case CLASS_LOGITS -> CROSS_ENTROPY;
            case VALUE -> MSE;
        };
    }

    public static double compute(String loss, Tensor prediction, Tensor target) {
        return switch (loss) {
            case BCE -> binaryCrossEntropy(prediction, target);
            case BCE_LOGITS -> binaryCrossEntropyWithLogits(prediction, target);
            case CROSS_ENTROPY -> crossEntropy(prediction, target);
            case MSE -> mse(prediction, target);
            default -> throw new DlmException("unknown loss " + loss + "; known: " + BCE + ", " + BCE_LOGITS + ", "
                    + CROSS_ENTROPY + ", " + MSE);
        };
    }

    /** Mean of -(y log p + (1-y) log(1-p)) over all elements, each log clamped at -100 as PyTorch does. */
    public static double binaryCrossEntropy(Tensor p, Tensor y) {
        sameSize(BCE, p, y);
        float[] a = p.data(), b = y.data();
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double logP = Math.max(Math.log(a[i]), -100), log1mP = Math.max(Math.log(1 - (double) a[i]), -100);
            s -= b[i] * logP + (1 - b[i]) * log1mP;
        }
        return s / a.length;
    }

    /** Mean of max(z,0) - z y + log(1 + exp(-|z|)), the stable form. */
    public static double binaryCrossEntropyWithLogits(Tensor z, Tensor y) {
        sameSize(BCE_LOGITS, z, y);
        float[] a = z.data(), b = y.data();
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double x = a[i];
            s += Math.max(x, 0) - x * b[i] + Math.log1p(Math.exp(-Math.abs(x)));
        }
        return s / a.length;
    }

    /**
     * Logits [n, C]; the target is class ids ([n] or [n, 1]) or a probability per class
     * ([n, C]). Mean over n of -sum_c y_c log_softmax(z)_c.
     */
    public static double crossEntropy(Tensor logits, Tensor target) {
        int n = logits.rank() == 0 ? 1 : logits.dim(0);
        int c = n == 0 ? 0 : logits.numel() / n;
        float[] z = logits.data(), t = target.data();
        boolean ids = target.numel() == n;
        if (!ids && target.numel() != logits.numel())
            throw new DlmException(CROSS_ENTROPY + ": logits " + Arrays.toString(logits.shape()) + " and target "
                    + Arrays.toString(target.shape()) + " do not match (expected class ids [" + n + "] or probabilities [" + n + ", " + c + "])");
        double s = 0;
        for (int i = 0; i < n; i++) {
            int o = i * c;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) max = Math.max(max, z[o + k]);
            double sum = 0;
            for (int k = 0; k < c; k++) sum += Math.exp(z[o + k] - max);
            double lse = max + Math.log(sum);
            if (ids) {
                int k = (int) t[i];
                if (k < 0 || k >= c || k != t[i])
                    throw new DlmException(CROSS_ENTROPY + ": class id " + t[i] + " of sample " + i + " is outside 0.." + (c - 1));
                s += lse - z[o + k];
            } else {
                for (int k = 0; k < c; k++) s += t[o + k] * (lse - z[o + k]);
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    public static double mse(Tensor p, Tensor y) {
        sameSize(MSE, p, y);
        float[] a = p.data(), b = y.data();
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            s += d * d;
        }
        return s / a.length;
    }

    /** Element-wise losses accept [n] against [n, 1] as PyTorch users expect; other shapes must agree in size. */
    private static void sameSize(String loss, Tensor p, Tensor y) {
        if (p.numel() != y.numel())
            throw new DlmException(loss + ": prediction " + Arrays.toString(p.shape()) + " and target "
                    + Arrays.toString(y.shape()) + " differ in size");
    }
}
