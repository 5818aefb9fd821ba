package dlm.runtime.train;

import dlm.runtime.DlmException;
import dlm.runtime.Prediction;
import dlm.runtime.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras-named classification metrics: {@code accuracy}, {@code auc}, {@code precision},
 * {@code recall}, {@code f1}.
 *
 * <p>Binary when the prediction has one column per sample: PROBABILITY (and VALUE) is
 * thresholded at 0.5, LOGITS at 0; targets are positive when >= 0.5. Otherwise multi-class:
 * the predicted class is the argmax, the true class is the id (target [n] or [n, 1]) or the
 * argmax of a one-hot/probability target [n, C]; precision, recall and f1 are macro averages
 * over the classes that occur in the targets or the predictions (as scikit-learn does), and
 * auc is the one-vs-rest macro average over the classes that have both positive and negative
 * samples, scored with softmax probabilities for CLASS_LOGITS.
 *
 * <p>Undefined ratios (no predicted positives for precision, ...) count as 0, as in Keras;
 * auc with a single class present is NaN.
 */
public final class Metrics {
    private Metrics() {}

    public static final List<String> KNOWN = List.of("accuracy", "auc", "precision", "recall", "f1");

    /** Each named metric, in order. */
    public static Map<String, Double> compute(List<String> names, Tensor prediction, Tensor target, Prediction kind) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (names.isEmpty()) return out;
        Labels l = Labels.of(prediction, target, kind);
        for (String m : names) out.put(m, compute(m, l));
        return out;
    }

    public static double compute(String name, Tensor prediction, Tensor target, Prediction kind) {
        return compute(name, Labels.of(prediction, target, kind));
    }

    private static double compute(String name, Labels l) {
        return switch (name) {
            case "accuracy", "acc" -> accuracy(l);
            case "auc" -> l.binary ? auc(l.score, l.truth, 1) : ovrAuc(l);
            case "precision" -> macro(l, 0);
            case "recall" -> macro(l, 1);
            case "f1" -> macro(l, 2);
            default -> throw new DlmException("unknown metric " + name + "; known: " + String.join(", ", KNOWN));
        };
    }

    /**
     * Predicted and true class per sample, plus scores. In the binary case classes are 0/1
     * and {@code score} holds one score per sample; otherwise {@code score} is [n, C].
     */
    private record Labels(boolean binary, int n, int classes, int[] predicted, int[] truth, float[] score) {
        static Labels of(Tensor prediction, Tensor target, Prediction kind) {
            int n = prediction.rank() == 0 ? 1 : prediction.dim(0);
            int c = n == 0 ? 1 : prediction.numel() / n;
            float[] p = prediction.data(), t = target.data();
            int[] pred = new int[n], truth = new int[n];
            boolean binary = c == 1 && kind != Prediction.CLASS_LOGITS;
            if (binary) {
                if (target.numel() != n)
                    throw new DlmException("metrics: binary prediction " + Arrays.toString(prediction.shape())
                            + " needs one target per sample, got " + Arrays.toString(target.shape()));
                float threshold = kind == Prediction.LOGITS ? 0f : 0.5f;
                for (int i = 0; i < n; i++) {
                    pred[i] = p[i] > threshold ? 1 : 0;
                    truth[i] = t[i] >= 0.5f ? 1 : 0;
                }
                return new Labels(true, n, 2, pred, truth, p);
            }
            for (int i = 0; i < n; i++) pred[i] = argmax(p, i * c, c);
            if (target.numel() == n) {
                for (int i = 0; i < n; i++) {
                    truth[i] = (int) t[i];
                    if (truth[i] != t[i] || truth[i] < 0 || truth[i] >= c)
                        throw new DlmException("metrics: class id " + t[i] + " of sample " + i + " is outside 0.." + (c - 1));
                }
            } else if (target.numel() == (long) n * c) {
                for (int i = 0; i < n; i++) truth[i] = argmax(t, i * c, c);
            } else {
                throw new DlmException("metrics: prediction " + Arrays.toString(prediction.shape()) + " and target "
                        + Arrays.toString(target.shape()) + " do not match");
            }
            float[] score = kind == Prediction.CLASS_LOGITS ? softmax(p, n, c) : p;
            return new Labels(false, n, c, pred, truth, score);
        }
    }

    private static int argmax(float[] a, int off, int len) {
        int best = 0;
        for (int k = 1; k < len; k++) if (a[off + k] > a[off + best]) best = k;
        return best;
    }

    private static float[] softmax(float[] z, int n, int c) {
        float[] out = new float[n * c];
        for (int i = 0; i < n; i++) {
            int o = i * c;
            float max = z[o + argmax(z, o, c)];
            double sum = 0;
            for (int k = 0; k < c; k++) sum += Math.exp(z[o + k] - max);
            for (int k = 0; k < c; k++) out[o + k] = (float) (Math.exp(z[o + k] - max) / sum);
        }
        return out;
    }

    private static double accuracy(Labels l) {
        if (l.n == 0) return Double.NaN;
        int hit = 0;
        for (int i = 0; i < l.n; i++) if (l.predicted[i] == l.truth[i]) hit++;
        return (double) hit / l.n;
    }

    /** which: 0 precision, 1 recall, 2 f1; for class 1 in the binary case, else the macro average. */
    private static double macro(Labels l, int which) {
        if (l.binary) return prf(l, 1)[which];
        boolean[] present = new boolean[l.classes];
        for (int i = 0; i < l.n; i++) present[l.predicted[i]] = present[l.truth[i]] = true;
        double s = 0;
        int count = 0;
        for (int k = 0; k < l.classes; k++)
            if (present[k]) {
                s += prf(l, k)[which];
                count++;
            }
        return count == 0 ? Double.NaN : s / count;
    }

    private static double[] prf(Labels l, int k) {
        long tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < l.n; i++) {
            boolean p = l.predicted[i] == k, t = l.truth[i] == k;
            if (p && t) tp++;
            else if (p) fp++;
            else if (t) fn++;
        }
        double precision = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
        double recall = tp + fn == 0 ? 0 : (double) tp / (tp + fn);
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new double[]{precision, recall, f1};
    }

    /**
     * ROC AUC by ranks (Mann-Whitney U): the probability that a random positive scores above a
     * random negative, ties counting one half. {@code score[i * stride]} scores sample i,
     * which is positive when {@code truth[i] == 1}.
     */
    static double auc(float[] score, int[] truth, int stride) {
        return auc(score, 0, stride, truth, 1);
    }

    private static double auc(float[] score, int off, int stride, int[] truth, int positive) {
        int n = truth.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(score[off + a * stride], score[off + b * stride]));
        double rankSumPos = 0;
        long pos = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            float v = score[off + order[i] * stride];
            while (j + 1 < n && Float.compare(score[off + order[j + 1] * stride], v) == 0) j++;
            double avgRank = (i + j) / 2.0 + 1; // ranks are 1-based; ties share their average rank
            for (int k = i; k <= j; k++)
                if (truth[order[k]] == positive) {
                    rankSumPos += avgRank;
                    pos++;
                }
            i = j + 1;
        }
        long neg = n - pos;
        if (pos == 0 || neg == 0) return Double.NaN;
        return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    private static double ovrAuc(Labels l) {
        double s = 0;
        int count = 0;
        for (int k = 0; k < l.classes; k++) {
            double a = auc(l.score, k, l.classes, l.truth, k);
            if (!Double.isNaN(a)) {
                s += a;
                count++;
            }
        }
        return count == 0 ? Double.NaN : s / count;
    }
}
