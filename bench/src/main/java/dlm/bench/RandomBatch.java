package dlm.bench;

import dlm.runtime.ModelSignature;
import dlm.runtime.Tensor;
import dlm.runtime.TensorSpec;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A batch of random feeds for a model's signature, for benchmarks that time steps and not
 * learning: the first input drawn from N(0, 1), each target a random class id (or 0/1).
 * Seeded, so that two builds of one model compared in one JVM see the same data.
 */
record RandomBatch(Map<String, Tensor> inputs, Map<String, Tensor> targets) {

    static RandomBatch of(ModelSignature sig, int batch, long seed) {
        Random rnd = new Random(seed);
        TensorSpec in = sig.inputs().get(0);
        int[] xs = shape(batch, in.sampleShape());
        float[] x = new float[Arrays.stream(xs).reduce(1, (p, q) -> p * q)];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        Map<String, Tensor> y = new LinkedHashMap<>();
        for (TensorSpec s : sig.targets()) {
            float[] a = new float[batch * s.sampleSize()];
            int classes = s.integer() ? sig.output(sig.predictionOutput()).sampleSize() : 2;
            for (int i = 0; i < a.length; i++) a[i] = rnd.nextInt(classes);
            y.put(s.name(), Tensor.of(a, shape(batch, s.sampleShape())));
        }
        return new RandomBatch(Map.of(in.name(), Tensor.of(x, xs)), y);
    }

    private static int[] shape(int batch, int[] sample) {
        int[] shape = new int[sample.length + 1];
        shape[0] = batch;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        return shape;
    }
}
