package dlm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.runtime.Tensor;
import dlm.runtime.io.Npy;
import dlm.runtime.io.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transfer learning from the command line: a backbone trained on one task is loaded into a
 * model with a new head. A strict {@code --init} refuses it and names every tensor that does
 * not fit; {@code --strict false} loads what fits and trains only the head; a second run with
 * {@code --trainable all --lr} fine-tunes everything. Failed runs leave the checkpoint alone.
 */
class TransferLearningCommandTest {
    static final String SOURCE = """
            def backbone(x) {
              return x -> dense(8, activation=relu, name=body)
            }
            model pretrained {
              input x: [4]
              output logits = x -> backbone -> dense(3, name=fc)
              train {
                target label: class(3)
                loss = cross_entropy(logits, label)
                optimizer = adam(lr=1e-2)
              }
            }
            model screening {
              input x: [4]
              output p = x -> backbone -> dense(1, activation=sigmoid, name=head)
              train {
                target y: [1]
                loss = binary_cross_entropy(p, y)
                optimizer = adam(lr=1e-2)
                trainable = [head]
              }
            }
            model wider {
              input x: [4]
              output p = x -> dense(5, activation=relu, name=body) -> dense(1, activation=sigmoid, name=head)
            }
            """;

    @TempDir Path tmp;

    /** 40 rows of four features; the target column is {@code classes}-valued. */
    private Path table(String name, String target, int classes) throws IOException {
        SplittableRandom r = new SplittableRandom(classes);
        StringBuilder sb = new StringBuilder("a,b,c,d," + target + "\n");
        for (int i = 0; i < 40; i++) {
            int k = i % classes;
            for (int j = 0; j < 4; j++) sb.append(String.format("%.4f,", r.nextGaussian() + (j == k ? 2 : 0)));
            sb.append(k).append('\n');
        }
        Path f = tmp.resolve(name);
        Files.writeString(f, sb.toString());
        return f;
    }

    @Test
    void trainTheNewHeadThenFineTuneEverything() throws IOException {
        Path dlm = tmp.resolve("transfer.dlm");
        Files.writeString(dlm, SOURCE);
        Path backbone = tmp.resolve("backbone.safetensors"), stage1 = tmp.resolve("stage1.safetensors"),
                stage2 = tmp.resolve("stage2.safetensors");
        CliTest.Result r = CliTest.dlm("train", dlm.toString(), "--model", "pretrained", "--data", table("three.csv", "label", 3).toString(),
                "--epochs", "2", "--batch", "8", "--save", backbone.toString());
        assertEquals(0, r.code(), r.err());
        Path binary = table("two.csv", "y", 2);

        // strict (the default): one line naming every tensor that does not fit; the checkpoint stays as it was
        Files.writeString(stage1, "precious");
        r = CliTest.dlm("train", dlm.toString(), "--model", "screening", "--data", binary.toString(), "--epochs", "1",
                "--init", backbone.toString(), "--save", stage1.toString());
        CliTest.assertUserError(r, backbone + ": state dict does not match the model: missing: head.bias, head.weight; unexpected: fc.bias, fc.weight",
                "(--strict false loads what fits)");
        assertEquals(1, r.err().lines().count(), r.err());
        assertEquals("precious", Files.readString(stage1));
        Files.delete(stage1);

        // --strict false: the backbone loads, the head is new, only the head trains
        r = CliTest.dlm("train", dlm.toString(), "--model", "screening", "--data", binary.toString(), "--epochs", "3", "--batch", "8",
                "--init", backbone.toString(), "--strict", "false", "--save", stage1.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("init: loaded 2 tensors; missing: head.bias, head.weight; unexpected: fc.bias, fc.weight"), r.out());
        Map<String, Tensor> pre = Safetensors.load(backbone), one = Safetensors.load(stage1);
        assertEquals(java.util.Set.of("body.weight", "body.bias", "head.weight", "head.bias"), one.keySet());
        for (String frozen : new String[]{"body.weight", "body.bias"})
            assertArrayEquals(pre.get(frozen).data(), one.get(frozen).data(), frozen + " is frozen: loaded, never updated");

        // stage 2: everything trains, at a lower rate, from the stage-1 weights (strict load)
        r = CliTest.dlm("train", dlm.toString(), "--model", "screening", "--data", binary.toString(), "--epochs", "3", "--batch", "8",
                "--init", stage1.toString(), "--trainable", "all", "--lr", "1e-3", "--save", stage2.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("init: all 4 tensors loaded"), r.out());
        Map<String, Tensor> two = Safetensors.load(stage2);
        assertFalse(Arrays.equals(one.get("body.weight").data(), two.get("body.weight").data()), "fine-tuning moves the backbone");

        // a mis-shaped tensor is named with both shapes; without --strict false the run stops
        Path x = tmp.resolve("x.npy");
        Npy.write(x, Tensor.of(new float[]{1, 2, 3, 4}, 1, 4));
        r = CliTest.dlm("run", dlm.toString(), "--model", "wider", "--weights", stage2.toString(), "--input", "x=" + x, "--out", tmp.resolve("o").toString());
        CliTest.assertUserError(r, stage2 + ": state dict does not match the model: shape mismatch: body.bias: expected [5], got [8]", "body.weight: expected [5, 4], got [8, 4]", "head.weight: expected [1, 5], got [1, 8]");
        r = CliTest.dlm("run", dlm.toString(), "--model", "screening", "--weights", backbone.toString(), "--strict", "false",
                "--input", "x=" + x, "--out", tmp.resolve("o").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(tmp.resolve("o/p.npy")));
    }

    @Test
    void freezeAndTrainableTogetherAreOneError() throws IOException {
        Path dlm = tmp.resolve("transfer.dlm");
        Files.writeString(dlm, SOURCE);
        CliTest.assertUserError(CliTest.dlm("train", dlm.toString(), "--model", "screening", "--data", table("two.csv", "y", 2).toString(),
                "--trainable", "head", "--freeze", "body"), "give --trainable or --freeze, not both");
    }
}
