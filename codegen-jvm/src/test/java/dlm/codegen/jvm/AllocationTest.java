package dlm.codegen.jvm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.runtime.Tensor;
import java.lang.management.ManagementFactory;
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
