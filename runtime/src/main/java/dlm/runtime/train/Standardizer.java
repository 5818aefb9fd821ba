package dlm.runtime.train;

import dlm.runtime.Dataset;
import dlm.runtime.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Z-scores every feature (every element position of a sample) of the float inputs with the
 * mean and standard deviation of the training split. The same statistics are applied to
 * validation and test data, so nothing is learned from them. A constant feature gets std 1
 * (it becomes 0) rather than a division by zero. Std is the population std (ddof=0), as
 * scikit-learn's StandardScaler uses.
 */
public record Standardizer(Map<String, Tensor> mean, Map<String, Tensor> std) {

    /** Statistics of each input of {@code train} except those named in {@code skip} (integer inputs). */
    public static Standardizer fit(Dataset train, Set<String> skip) {
        Map<String, Tensor> mean = new LinkedHashMap<>(), std = new LinkedHashMap<>();
        train.inputs().forEach((name, x) -> {
            if (skip.contains(name)) return;
            int n = x.dim(0), k = x.sampleSize();
            double[] s = new double[k], s2 = new double[k];
            float[] d = x.data();
            for (int i = 0; i < n; i++)
                for (int j = 0; j < k; j++) s[j] += d[i * k + j];
            float[] m = new float[k], sd = new float[k];
            for (int j = 0; j < k; j++) m[j] = (float) (s[j] / Math.max(n, 1));
            // Two passes: the sum-of-squares shortcut loses precision on large offsets.
            for (int i = 0; i < n; i++)
                for (int j = 0; j < k; j++) {
                    double c = d[i * k + j] - m[j];
                    s2[j] += c * c;
                }
            for (int j = 0; j < k; j++) {
                double v = Math.sqrt(s2[j] / Math.max(n, 1));
                sd[j] = v > 1e-12 ? (float) v : 1f;
            }
            int[] sampleShape = java.util.Arrays.copyOfRange(x.shape(), 1, x.rank());
            mean.put(name, Tensor.of(m, sampleShape));
            std.put(name, Tensor.of(sd, sampleShape));
        });
        return new Standardizer(mean, std);
    }

    /** A standardized copy of {@code data}'s inputs; targets are shared. */
    public Dataset apply(Dataset data) {
        Map<String, Tensor> in = new LinkedHashMap<>();
        data.inputs().forEach((name, x) -> in.put(name, mean.containsKey(name) ? apply(name, x) : x));
        return new Dataset(in, data.targets());
    }

    public Tensor apply(String input, Tensor x) {
        float[] m = mean.get(input).data(), sd = std.get(input).data();
        int k = m.length;
        if (x.sampleSize() != k)
            throw new IllegalArgumentException("input " + input + " has " + x.sampleSize() + " features per sample, statistics have " + k);
        float[] src = x.data(), out = new float[src.length];
        for (int i = 0; i < src.length; i++) out[i] = (src[i] - m[i % k]) / sd[i % k];
        return Tensor.of(out, x.shape());
    }
}
