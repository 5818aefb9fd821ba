package dlm.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.runtime.CompiledModel;
import dlm.runtime.Dataset;
import dlm.runtime.DlmException;
import dlm.runtime.LoadReport;
import dlm.runtime.Tensor;
import dlm.runtime.train.FitOptions;
import dlm.runtime.train.Trainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The CheXNet recipe on a small network: a backbone pretrained on another task (10 classes),
 * a new binary head; train only the head, then unfreeze everything at a lower rate.
 */
class TransferLearningTest {
    static final String BACKBONE = """
            def backbone(x) {
              return x -> conv2d(4, 3, pad=same, bias=false, name=stem) -> batchnorm(name=stem_bn) -> relu -> global_avg_pool
            }
            model pretrained {
              input image: [1, 8, 8]
              output logits = image -> backbone -> dense(10, name=fc)
              train {
                target label: class(10)
                loss = cross_entropy(logits, label)
                optimizer = adam(lr=1e-2)
              }
            }
            model screening {
              input image: [1, 8, 8]
              output p = image -> backbone -> dense(1, activation=sigmoid, name=head)
              train {
                target y: [1]
                loss = binary_cross_entropy(p, y)
                optimizer = adam(lr=1e-2)
                trainable = [head]
              }
            }
            """;

    @TempDir Path tmp;

    static Dataset data(int n) {
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[n * 64], y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            for (int j = 0; j < 64; j++) x[i * 64 + j] = (float) (r.nextGaussian() + (y[i] == 1 && j % 8 < 4 ? 1.0 : 0.0));
        }
        return Dataset.of("image", Tensor.of(x, n, 1, 8, 8), "y", Tensor.of(y, n, 1));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void trainTheHeadThenFineTuneEverything(Backend backend) {
        Program p = Dlm.compile("transfer.dlm", BACKBONE);
        Path pretrained = tmp.resolve("pretrained.safetensors");
        try (CompiledModel m = p.build("pretrained", backend, 1)) {
            m.saveWeights(pretrained);
        }
        Dataset d = data(32);
        FitOptions fit = FitOptions.defaults().withEpochs(3).withBatchSize(8);
        Path stage1 = tmp.resolve("stage1.safetensors");
        Map<String, Tensor> before;
        try (CompiledModel m = p.build("screening", BuildOptions.defaults().withBackend(backend).withSeed(2))) {
            assertThrows(DlmException.class, () -> m.loadWeights(pretrained, true), "strict load refuses the old head");
            LoadReport r = m.loadWeights(pretrained, false);
            assertEquals(List.of("head.bias", "head.weight"), r.missing());
            assertEquals(List.of("fc.bias", "fc.weight"), r.unexpected());
            assertTrue(r.loaded().contains("stem.weight") && r.loaded().contains("stem_bn.running_var"), r.loaded().toString());

            assertEquals(List.of("head.bias", "head.weight"), m.gradients(d.inputs(), d.targets()).keySet().stream()
                    .filter(k -> !k.equals("loss")).sorted().toList(), "frozen layers get no gradient");
            before = m.stateDict();
            Trainer.fit(m, d, null, fit);
            Map<String, Tensor> after = m.stateDict();
            for (String frozen : List.of("stem.weight", "stem_bn.weight", "stem_bn.bias", "stem_bn.running_mean", "stem_bn.running_var"))
                assertArrayEquals(before.get(frozen).data(), after.get(frozen).data(), frozen + " must not move while frozen");
            assertFalse(java.util.Arrays.equals(before.get("head.weight").data(), after.get("head.weight").data()), "the head learns");
            m.saveWeights(stage1);
        }
        try (CompiledModel m = p.build("screening", BuildOptions.defaults().withBackend(backend).withTrainable().withLearningRate(1e-3))) {
            assertTrue(m.loadWeights(stage1, true).clean());
            assertEquals(6, m.gradients(d.inputs(), d.targets()).size(), "loss and every parameter once unfrozen");
            Trainer.fit(m, d, null, fit);
            Map<String, Tensor> after = m.stateDict();
            assertFalse(java.util.Arrays.equals(before.get("stem.weight").data(), after.get("stem.weight").data()), "fine-tuning moves the backbone");
        }
        assertThrows(DlmException.class, () -> p.build("screening", BuildOptions.defaults().withBackend(backend).withTrainable("haed")));
    }
}
