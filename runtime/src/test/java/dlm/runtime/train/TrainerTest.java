package dlm.runtime.train;

import dlm.runtime.Dataset;
import dlm.runtime.DlmException;
import dlm.runtime.Tensor;
import dlm.runtime.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {
    @TempDir
    Path dir;

    /** Two blobs: y = 1 when x0 + x1 > 0, features offset and scaled so standardizing matters. */
    static Dataset blobs(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * 2], y = new float[n];
        for (int i = 0; i < n; i++) {
            int c = i % 2;
            double a = r.nextGaussian() + (c == 1 ? 1.5 : -1.5), b = r.nextGaussian() + (c == 1 ? 1.5 : -1.5);
            x[2 * i] = (float) (100 + 10 * a);
            x[2 * i + 1] = (float) (-50 + 0.1 * b);
            y[i] = c;
        }
        return Dataset.of("x", Tensor.of(x, n, 2), "y", Tensor.of(y, n, 1));
    }

    /** Feature 0 is the sample's index, so the order of training can be observed. */
    static Dataset indexed(int n) {
        float[] x = new float[n], y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = i % 2;
        }
        return Dataset.of("x", Tensor.of(x, n, 1), "y", Tensor.of(y, n, 1));
    }

    private static FitOptions quiet() {
        return FitOptions.defaults();
    }

    @Test
    void learnsASeparableProblem() {
        Dataset.Split s = blobs(400, 1).split(0.25, 3);
        FakeLogisticRegression m = new FakeLogisticRegression(2, 0.5f, List.of("accuracy", "auc"));
        History h = Trainer.fit(m, s.train(), s.validation(),
                quiet().withEpochs(15).withBatchSize(16).withStandardize(true));
        assertEquals(15, h.epochs().size());
        assertEquals(List.of("loss", "accuracy", "auc", "val_loss", "val_accuracy", "val_auc"),
                List.copyOf(h.last().values().keySet()));
        double[] loss = h.series("loss");
        assertTrue(loss[14] < loss[0] * 0.7, Arrays.toString(loss));
        assertTrue(h.last().values().get("val_accuracy") > 0.9, h.last().toString());
        assertTrue(h.last().values().get("val_auc") > 0.95, h.last().toString());
        assertEquals("val_loss", h.monitor());
        // Host-side validation loss is the loss of predict() on the (standardized) validation set.
        Dataset val = h.standardizer().apply(s.validation());
        Map<String, Double> eval = Trainer.evaluate(m, val, 7);
        assertEquals(h.last().values().get("val_loss"), eval.get("loss"), 1e-9);
        assertEquals(h.last().values().get("val_accuracy"), eval.get("accuracy"), 1e-12);
    }

    @Test
    void standardizationUsesTrainingStatistics() {
        Dataset.Split s = blobs(200, 2).split(0.5, 0);
        FakeLogisticRegression m = new FakeLogisticRegression(2, 0.1f, List.of());
        History h = Trainer.fit(m, s.train(), s.validation(), quiet().withEpochs(1).withStandardize(true));
        Tensor mean = h.standardizer().mean().get("x"), std = h.standardizer().std().get("x");
        float[] x = s.train().input("x").data();
        double m0 = 0;
        for (int i = 0; i < 100; i++) m0 += x[2 * i];
        assertEquals(m0 / 100, mean.data()[0], 1e-3);
        assertTrue(std.data()[1] < 1 && std.data()[0] > 5, std.toString());
        // What the model saw in training has mean 0 and unit variance per feature.
        Tensor seen = h.standardizer().apply(s.train()).input("x");
        double sum = 0, sq = 0;
        for (int i = 0; i < 100; i++) {
            sum += seen.data()[2 * i + 1];
            sq += seen.data()[2 * i + 1] * seen.data()[2 * i + 1];
        }
        assertEquals(0, sum / 100, 1e-4);
        assertEquals(1, sq / 100, 1e-3);
        assertNull(Trainer.fit(new FakeLogisticRegression(2, 0.1f, List.of()), s.train(), null,
                quiet().withEpochs(1)).standardizer());
    }

    @Test
    void keepsTheLastPartialBatchAndSeesEverySampleOncePerEpoch() {
        FakeLogisticRegression m = new FakeLogisticRegression(1, 0.01f, List.of("accuracy"));
        Trainer.fit(m, indexed(10), null, quiet().withEpochs(2).withBatchSize(4));
        assertEquals(List.of(4, 4, 2, 4, 4, 2), m.batchSizes);
        for (int e = 0; e < 2; e++) {
            Set<Float> seen = new HashSet<>(m.firstFeatures.subList(e * 10, e * 10 + 10));
            assertEquals(10, seen.size(), "epoch " + e + " saw " + m.firstFeatures);
        }
    }

    @Test
    void shuffleIsSeededAndCanBeTurnedOff() {
        List<List<Float>> orders = new ArrayList<>();
        for (long seed : new long[]{5, 5, 6}) {
            FakeLogisticRegression m = new FakeLogisticRegression(1, 0.01f, List.of());
            Trainer.fit(m, indexed(20), null, quiet().withEpochs(2).withBatchSize(8).withShuffle(true, seed));
            orders.add(m.firstFeatures);
            assertNotEquals(m.firstFeatures.subList(0, 20), m.firstFeatures.subList(20, 40), "reshuffled every epoch");
        }
        assertEquals(orders.get(0), orders.get(1));
        assertNotEquals(orders.get(0), orders.get(2));
        FakeLogisticRegression m = new FakeLogisticRegression(1, 0.01f, List.of());
        Trainer.fit(m, indexed(5), null, quiet().withEpochs(1).withBatchSize(2).withShuffle(false, 0));
        assertEquals(List.of(0f, 1f, 2f, 3f, 4f), m.firstFeatures);
    }

    @Test
    void epochsRecordTheTimeInsideTrainingStepsApartFromValidation() {
        // Sleeps give lower bounds that hold however loaded the machine is: 5 steps of >= 20 ms
        // inside trainStep, and >= 30 ms of validation predict that must count as outside.
        Dataset.Split s = blobs(50, 2).split(0.2, 0);
        FakeLogisticRegression slow = new FakeLogisticRegression(2, 0.1f, List.of()) {
            @Override public Map<String, Tensor> trainStep(Map<String, Tensor> in, Map<String, Tensor> tg) {
                sleep(20);
                return super.trainStep(in, tg);
            }

            @Override public Map<String, Tensor> predict(Map<String, Tensor> in) {
                sleep(30);
                return super.predict(in);
            }
        };
        History h = Trainer.fit(slow, s.train(), s.validation(), quiet().withEpochs(2).withBatchSize(8));
        for (History.Epoch e : h.epochs()) {
            assertTrue(e.stepSeconds() >= 5 * 0.020, "step time " + e.stepSeconds());
            assertTrue(e.seconds() - e.stepSeconds() >= 0.030, "outside " + (e.seconds() - e.stepSeconds()));
            assertEquals((e.seconds() - e.stepSeconds()) / e.seconds(), e.outsideStepShare(), 1e-12);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void validationPredictsInOneBatchSize() {
        // 60 validation samples with training batch 8: one predict batch of 60, not 7 of 8 and one of 4.
        Dataset.Split s = blobs(300, 4).split(0.2, 0);
        List<Integer> predictBatches = new ArrayList<>();
        FakeLogisticRegression m = new FakeLogisticRegression(2, 0.1f, List.of("accuracy")) {
            @Override public Map<String, Tensor> predict(Map<String, Tensor> in) {
                predictBatches.add(in.get("x").dim(0));
                return super.predict(in);
            }
        };
        Trainer.fit(m, s.train(), s.validation(), quiet().withEpochs(1).withBatchSize(8));
        assertEquals(List.of(60), predictBatches);
    }

    @Test
    void batchTensorsAreReusedAcrossSteps() {
        FakeLogisticRegression m = new FakeLogisticRegression(1, 0.01f, List.of());
        Trainer.fit(m, indexed(10), null, quiet().withEpochs(2).withBatchSize(4));
        List<Tensor> t = m.inputTensors;
        assertSame(t.get(0), t.get(1));
        assertSame(t.get(0), t.get(3));
        assertSame(t.get(2), t.get(5), "the partial-batch buffer is reused too");
        assertNotSame(t.get(0), t.get(2));
    }

    @Test
    void bestCheckpointByValidationLoss() {
        Dataset train = indexed(8), val = indexed(4);
        // All-ones targets for validation: loss -ln(p) is lowest at epoch 2.
        val = Dataset.of("x", val.input("x"), "y", Tensor.of(new float[]{1, 1, 1, 1}, 4, 1));
        ScriptedModel m = new ScriptedModel(new float[]{0.6f, 0.9f, 0.7f}, 2);
        Path ckpt = dir.resolve("best.safetensors");
        History h = Trainer.fit(m, train, val, quiet().withEpochs(3).withBatchSize(4).withCheckpoint(ckpt));
        assertEquals(2, h.bestEpoch());
        assertEquals(-Math.log(0.9f), h.bestValue(), 1e-6);
        Safetensors.Content c = Safetensors.read(ckpt);
        assertEquals(Tensor.scalar(2), c.tensors().get("epoch"));
        assertEquals("2", c.metadata().get("dlm.epoch"));
        assertEquals("val_loss", c.metadata().get("dlm.monitor"));
        assertEquals("pt", c.metadata().get("format"));
    }

    @Test
    void bestCheckpointByValidationAccuracyIsMaximized() {
        Dataset val = Dataset.of("x", Tensor.zeros(4, 1), "y", Tensor.of(new float[]{1, 1, 1, 1}, 4, 1));
        // accuracy per epoch: 0, 1, 1 -> the first epoch reaching 1 is kept (ties do not replace it).
        ScriptedModel m = new ScriptedModel(new float[]{0.4f, 0.6f, 0.7f}, 1);
        Path ckpt = dir.resolve("acc.safetensors");
        History h = Trainer.fit(m, indexed(4), val,
                quiet().withEpochs(3).withBatchSize(4).withMonitor("val_accuracy").withCheckpoint(ckpt));
        assertEquals(2, h.bestEpoch());
        assertEquals(1.0, h.bestValue());
        assertEquals(Tensor.scalar(2), Safetensors.load(ckpt).get("epoch"));
    }

    @Test
    void checkpointRecordsStandardization() {
        Dataset.Split s = blobs(40, 4).split(0.25, 1);
        Path ckpt = dir.resolve("c.safetensors");
        FakeLogisticRegression m = new FakeLogisticRegression(2, 0.1f, List.of());
        Trainer.fit(m, s.train(), s.validation(), quiet().withEpochs(1).withStandardize(true).withCheckpoint(ckpt));
        Safetensors.Content c = Safetensors.read(ckpt);
        assertEquals(Set.of("fc.weight", "fc.bias"), c.tensors().keySet());
        assertTrue(c.metadata().get("dlm.standardize").startsWith("{\"x\":{\"mean\":["), c.metadata().toString());
        // The checkpoint loads back strictly into the same model.
        FakeLogisticRegression fresh = new FakeLogisticRegression(2, 0.1f, List.of());
        assertTrue(fresh.loadStateDict(c.tensors(), true).clean());
        assertEquals(m.stateDict(), fresh.stateDict());
    }

    @Test
    void progressPrintsOneLinePerEpoch() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        Dataset.Split s = blobs(60, 5).split(0.5, 0);
        Trainer.fit(new FakeLogisticRegression(2, 0.1f, List.of("accuracy")), s.train(), s.validation(),
                quiet().withEpochs(3).withBatchSize(8).withStandardize(true).withProgress(out));
        String text = buf.toString(StandardCharsets.UTF_8);
        String[] lines = text.split("\n");
        assertEquals(3, lines.length, text);
        for (int e = 0; e < 3; e++)
            assertTrue(lines[e].matches("epoch " + (e + 1) + "/3  loss \\d+\\.\\d{4}  accuracy \\d\\.\\d{4}  "
                    + "val_loss \\d+\\.\\d{4}  val_accuracy \\d\\.\\d{4}  \\[\\d+\\.\\d s\\]"), lines[e]);
        assertFalse(text.contains("\r"), "no carriage returns when not on a terminal");

        buf.reset();
        Trainer.fit(new FakeLogisticRegression(2, 0.1f, List.of()), s.train(), null,
                quiet().withEpochs(1).withBatchSize(8).withProgress(out).withInteractive(true));
        text = buf.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("\repoch 1/1  [") && text.contains("\repoch 1/1  loss "), text);
        assertTrue(text.endsWith("\n"));
    }

    @Test
    void classIdTargetsAreViewedUnderTheModelsShape() {
        // A [n, 1] column of class ids feeds a model whose target is a scalar per sample.
        var sig = new dlm.runtime.ModelSignature("c", List.of(new dlm.runtime.TensorSpec("x", false, new int[]{2})),
                List.of(new dlm.runtime.TensorSpec("label", true, new int[]{})),
                List.of(new dlm.runtime.TensorSpec("logits", false, new int[]{2})),
                List.of("accuracy"), "logits", "label", dlm.runtime.Prediction.CLASS_LOGITS);
        Dataset d = Dataset.of("x", Tensor.of(new float[]{0, 0, 1, 2}, 2, 2), "label", Tensor.of(new float[]{1, 0}, 2, 1));
        Dataset c = Trainer.conform(sig, d, "data");
        assertArrayEquals(new int[]{2}, c.target("label").shape());
        assertArrayEquals(new int[]{2, 2}, c.input("x").shape());
    }

    @Test
    void userErrors() {
        FakeLogisticRegression m = new FakeLogisticRegression(2, 0.1f, List.of());
        Dataset wrongName = Dataset.of("features", Tensor.zeros(4, 2), "y", Tensor.zeros(4, 1));
        assertEquals("training data has no input named \"x\" (it has: features)",
                assertThrows(DlmException.class, () -> Trainer.fit(m, wrongName, null, quiet())).getMessage());
        Dataset wrongShape = Dataset.of("x", Tensor.zeros(4, 3), "y", Tensor.zeros(4, 1));
        assertEquals("training data: input \"x\" has samples of shape [3], the model expects [2]",
                assertThrows(DlmException.class, () -> Trainer.fit(m, wrongShape, null, quiet())).getMessage());
        Dataset ok = Dataset.of("x", Tensor.zeros(4, 2), "y", Tensor.zeros(4, 1));
        assertTrue(assertThrows(DlmException.class, () -> Trainer.fit(m, ok, null, quiet().withMonitor("val_loss")))
                .getMessage().contains("without validation data"));
        assertTrue(assertThrows(DlmException.class, () -> Trainer.fit(m, ok, ok, quiet().withMonitor("val_auc")))
                .getMessage().contains("cannot monitor val_auc; available: loss, val_loss"));
        FakeLogisticRegression bad = new FakeLogisticRegression(2, 0.1f, List.of("mape"));
        assertTrue(assertThrows(DlmException.class, () -> Trainer.fit(bad, ok, null, quiet())).getMessage()
                .contains("unknown metric mape"));
    }

    @Test
    void gradientsOfTheFakeAreTheFiniteDifferenceOfItsLoss() {
        // Guards the test double itself: the trainer tests mean little if the fake is wrong.
        Dataset d = blobs(16, 9);
        FakeLogisticRegression m = new FakeLogisticRegression(2, 0.1f, List.of());
        m.w[0] = 0.01f;
        m.w[1] = -0.2f;
        Map<String, Tensor> in = d.inputs(), tg = d.targets();
        float g = m.gradients(in, tg).get("fc.weight").data()[1];
        float h = 1e-3f;
        m.w[1] += h;
        double up = m.gradients(in, tg).get("loss").item();
        m.w[1] -= 2 * h;
        double down = m.gradients(in, tg).get("loss").item();
        assertEquals((up - down) / (2 * h), g, 2e-2);
    }

    @Test
    void aLossThatTurnsNaNStopsTrainingAndKeepsTheBestCheckpoint() throws Exception {
        ScriptedModel m = new ScriptedModel(new float[]{0.4f, Float.NaN}, 1);
        Path ckpt = dir.resolve("best.safetensors");
        Dataset d = indexed(4);
        FitOptions opts = quiet().withEpochs(3).withBatchSize(4).withMonitor("loss").withCheckpoint(ckpt);
        DlmException e = assertThrows(DlmException.class, () -> Trainer.fit(m, d, null, opts));
        assertTrue(e.getMessage().contains("the loss is NaN at epoch 3"), e.getMessage());
        assertTrue(e.getMessage().contains("from epoch 1"), e.getMessage());
        assertEquals(1f, Safetensors.load(ckpt).get("epoch").item(), "the checkpoint of epoch 1 is intact");
    }

    @Test
    void aMissingValueInTheDataIsAnErrorNamingTheSample() {
        Dataset d = indexed(6);
        d.input("x").data()[4] = Float.NaN;
        DlmException e = assertThrows(DlmException.class, () -> Trainer.fit(new ScriptedModel(new float[]{0.5f}, 1), d, null, quiet()));
        assertTrue(e.getMessage().contains("input \"x\" holds NaN in sample 4"), e.getMessage());
    }
}
