package dlm.codegen.jvm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.frontend.Frontend;
import dlm.ir.Graph;
import dlm.runtime.Tensor;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A warmed-up step allocates (almost) nothing: the arena, outputs and scratch are reused. */
class AllocationTest {
    /**
     * The bound per call: the returned LinkedHashMap with its table and entries (~250 bytes)
     * and the sample-shape copies TensorSpec hands out (~50 bytes), with room to spare; a
     * single re-allocated activation of this MLP (32 x 21 floats = 2.7 KB) would exceed it.
     */
    private static final long BYTES_PER_CALL = 1024;

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().threadId());
    }

    /** Bytes allocated by this thread and by every kernel thread (the team runs parts of a step). */
    private static long allocatedWithKernelThreads() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = mx.getThreadAllocatedBytes(Thread.currentThread().threadId());
        for (Thread t : Thread.getAllStackTraces().keySet())
            if (t.getName().startsWith("dlm-kernel-")) sum += Math.max(0, mx.getThreadAllocatedBytes(t.threadId()));
        return sum;
    }

    /**
     * An example's training step, counting what the kernel threads allocate too: code that
     * leaves a vector as an object (a call C2 did not inline) allocates there on every
     * iteration, not on the calling thread. LeNet-5's convolutions split over the threads;
     * keras_mlp's Adam updates are fused loops of over 64K floats, split too.
     */
    private static void exampleTrainStepAllocatesOnlyTheReturnedMap(String example, int batch, Map<String, Tensor> x,
                                                                    Map<String, Tensor> y) throws Exception {
        Graph source = Frontend.compile(Path.of("..", "examples", example + ".dlm")).models().getFirst();
        try (JvmModel m = new JvmModel(TestModels.signature(source), TestModels.graphs(source), 3)) {
            long train = Long.MAX_VALUE;
            for (int round = 0; round < 10 && train > 2 * BYTES_PER_CALL; round++) {
                for (int i = 0; i < 1000; i++) m.trainStep(x, y);
                long before = allocatedWithKernelThreads();
                for (int i = 0; i < 100; i++) m.trainStep(x, y);
                train = (allocatedWithKernelThreads() - before) / 100;
                System.out.println("bytes allocated per " + example + " trainStep (caller and kernel threads) after "
                        + 1000 * (round + 1) + " warm-up steps: " + train);
            }
            // two outputs (loss, predictions) besides the map: twice the MLP's bound
            assertTrue(train <= 2 * BYTES_PER_CALL, example + " trainStep allocates " + train + " bytes per call");
        }
    }

    @Test void convolutionStepsAllocateNothingOnTheKernelThreadsEither() throws Exception {
        SplittableRandom r = new SplittableRandom(2);
        int batch = 16;
        exampleTrainStepAllocatesOnlyTheReturnedMap("lenet5", batch, Map.of("image", TestModels.random(r, batch, 1, 28, 28)),
                Map.of("label", TestModels.classes(r, 10, batch)));
    }

    @Test void splitOptimizerLoopsAllocateNothingOnTheKernelThreadsEither() throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        int batch = 16;
        Tensor labels = TestModels.classes(r, 2, batch);
        exampleTrainStepAllocatesOnlyTheReturnedMap("keras_mlp", batch, Map.of("x", TestModels.random(r, batch, 64)),
                Map.of("y", Tensor.of(labels.data(), batch, 1)));
    }

    /**
     * Batch-1 predictions of both examples, caller and kernel threads: the dense layers go
     * through the four-output dot products (DotVector.dot4), whose last lane sum C2 once left
     * as a call on a boxed vector (3.6 KB per lenet5 prediction).
     */
    @Test void batchOnePredictionsAllocateOnlyTheReturnedMap() throws Exception {
        SplittableRandom r = new SplittableRandom(4);
        Map<String, Map<String, Tensor>> inputs = Map.of(
                "lenet5", Map.of("image", TestModels.random(r, 1, 1, 28, 28)),
                "keras_mlp", Map.of("x", TestModels.random(r, 1, 64)));
        for (var e : inputs.entrySet()) {
            Graph source = Frontend.compile(Path.of("..", "examples", e.getKey() + ".dlm")).models().getFirst();
            try (JvmModel m = new JvmModel(TestModels.signature(source), TestModels.graphs(source), 3)) {
                long predict = Long.MAX_VALUE;
                for (int round = 0; round < 10 && predict > BYTES_PER_CALL; round++) {
                    for (int i = 0; i < 20_000; i++) m.predict(e.getValue());
                    long before = allocatedWithKernelThreads();
                    for (int i = 0; i < 1000; i++) m.predict(e.getValue());
                    predict = (allocatedWithKernelThreads() - before) / 1000;
                    System.out.println("bytes allocated per " + e.getKey() + " batch-1 predict (caller and kernel threads) after "
                            + 20_000 * (round + 1) + " warm-up calls: " + predict);
                }
                assertTrue(predict <= BYTES_PER_CALL, e.getKey() + " predict allocates " + predict + " bytes per call");
            }
        }
    }

    @Test void trainStepAndPredictAllocateOnlyTheReturnedMap() {
        SplittableRandom r = new SplittableRandom(1);
        int batch = 32;
        try (JvmModel m = TestModels.jvm(TestModels.mlp(TestModels.ADAM, 0.25), 3)) {
            Map<String, Tensor> x = Map.of("x", TestModels.random(r, batch, 13));
            Map<String, Tensor> y = Map.of("y", TestModels.classes(r, 5, batch));
            // "Warmed up" means compiled by C2: code that still runs in the interpreter or C1
            // boxes every vector. On a busy machine the compiler threads fall behind, so the
            // measurement is repeated after more warm-up, a bounded number of times; an
            // allocation made by the step itself shows in every round and still fails.
            long train = Long.MAX_VALUE, predict = Long.MAX_VALUE;
            for (int round = 0; round < 10 && (train > BYTES_PER_CALL || predict > BYTES_PER_CALL); round++) {
                for (int i = 0; i < 2000; i++) { m.trainStep(x, y); m.predict(x); }
                long before = allocated();
                for (int i = 0; i < 100; i++) m.trainStep(x, y);
                train = (allocated() - before) / 100;
                before = allocated();
                for (int i = 0; i < 100; i++) m.predict(x);
                predict = (allocated() - before) / 100;
                System.out.println("bytes allocated per call after " + 2000 * (round + 1) + " warm-up steps: trainStep "
                        + train + ", predict " + predict);
            }
            assertTrue(train <= BYTES_PER_CALL, "trainStep allocates " + train + " bytes per call");
            assertTrue(predict <= BYTES_PER_CALL, "predict allocates " + predict + " bytes per call");
        }
    }
}
