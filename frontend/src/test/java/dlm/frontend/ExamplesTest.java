package dlm.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dlm.ir.Graph;

/**
 * Every example compiles unchanged, and has as many trainable weights as the same network in
 * PyTorch. Expected counts are worked out below layer by layer, independently of the compiler.
 */
class ExamplesTest {
    static final Path EXAMPLES = Path.of("../examples");

    static Stream<Path> examples() throws IOException {
        return Files.list(EXAMPLES).filter(p -> p.toString().endsWith(".dlm")).sorted();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void compiles(Path file) throws Exception {
        CompiledSource src = Frontend.compile(file);
        assertFalse(src.models().isEmpty(), file + " has no model");
        for (Graph g : src.models()) assertFalse(g.outputs().isEmpty());
    }

    @Test
    void examplesAreThere() throws IOException {
        assertTrue(examples().count() >= 11, "expected the 11 normative examples in " + EXAMPLES.toAbsolutePath());
    }

    static Graph model(String file) throws Exception {
        return Frontend.compile(EXAMPLES.resolve(file)).model();
    }

    // Layer arithmetic as PyTorch counts it.
    static long dense(long in, long out) { return in * out + out; }
    static long conv(long in, long out, long k, boolean bias) { return in * out * k * k + (bias ? out : 0); }
    static long bn(long c) { return 2 * c; }

    @Test void xor() throws Exception { assertEquals(dense(2, 4) + dense(4, 1), model("xor.dlm").weightCount()); }

    @Test void xorCountIs17() throws Exception { assertEquals(17, model("xor.dlm").weightCount()); }

    @Test void perceptron() throws Exception { assertEquals(3, model("perceptron.dlm").weightCount()); }

    @Test void tumor() throws Exception {
        assertEquals(dense(30, 16) + dense(16, 1), model("tumor.dlm").weightCount());
        assertEquals(513, model("tumor.dlm").weightCount());
    }

    @Test void kerasMlp() throws Exception {
        long n = 0, in = 64;
        for (long w : List.of(64L, 128L, 512L, 512L, 128L, 64L)) { n += dense(in, w); in = w; }
        n += dense(64, 1);
        assertEquals(415_169, n);
        assertEquals(n, model("keras_mlp.dlm").weightCount());
    }

    @Test void lenet5() throws Exception {
        // 28 -> conv same 28 -> pool 14 -> conv valid 10 -> pool 5: 16*5*5 = 400 features
        long n = conv(1, 6, 5, true) + conv(6, 16, 5, true) + dense(400, 120) + dense(120, 84) + dense(84, 10);
        assertEquals(61_706, n);
        assertEquals(n, model("lenet5.dlm").weightCount());
    }

    @Test void resnetMini() throws Exception {
        long n = conv(3, 16, 3, false) + bn(16) + 3 * (2 * conv(16, 16, 3, false) + 2 * bn(16)) + dense(16, 10);
        assertEquals(14_650, n);
        assertEquals(n, model("resnet_mini.dlm").weightCount());
    }

    @Test void resnet50() throws Exception {
        long n = conv(3, 64, 7, false) + bn(64);
        long in = 64;
        int[][] stages = {{64, 3}, {128, 4}, {256, 6}, {512, 3}};
        for (int[] s : stages) {
            long c = s[0];
            for (int b = 0; b < s[1]; b++) {
                n += conv(in, c, 1, false) + bn(c) + conv(c, c, 3, false) + bn(c) + conv(c, 4 * c, 1, false) + bn(4 * c);
                if (b == 0) n += conv(in, 4 * c, 1, false) + bn(4 * c);
                in = 4 * c;
            }
        }
        n += dense(2048, 1000);
        assertEquals(25_557_032, n);   // torchvision.models.resnet50
        Graph g = model("resnet50.dlm");
        assertEquals(n, g.weightCount());
        assertEquals(List.of(-1, 1000), g.outputs().get("logits").shape().dims());
    }

    @Test void vgg16() throws Exception {
        long n = 0, in = 3;
        for (long[] s : new long[][] {{64, 2}, {128, 2}, {256, 3}, {512, 3}, {512, 3}})
            for (int i = 0; i < s[1]; i++) { n += conv(in, s[0], 3, true); in = s[0]; }
        n += dense(512 * 7 * 7, 4096) + dense(4096, 4096) + dense(4096, 1000);
        assertEquals(138_357_544, n);   // torchvision.models.vgg16
        assertEquals(n, model("vgg16.dlm").weightCount());
    }

    @Test void unetSmall() throws Exception {
        long n = doubleConv(1, 16) + doubleConv(16, 32) + doubleConv(32, 64)
                + doubleConv(64 + 32, 32) + doubleConv(32 + 16, 16) + conv(16, 1, 1, true);
        assertEquals(117_985, n);
        Graph g = model("unet_small.dlm");
        assertEquals(n, g.weightCount());
        assertEquals(List.of(-1, 1, 64, 64), g.outputs().get("mask").shape().dims());
    }

    static long doubleConv(long in, long c) { return conv(in, c, 3, true) + conv(c, c, 3, true); }

    @Test void inception() throws Exception {
        long n = conv(3, 64, 7, true) + inception(64, 64, 96, 128, 16, 32, 32)
                + inception(256, 128, 128, 192, 32, 96, 64) + dense(480, 10);
        assertEquals(540_090, n);
        assertEquals(n, model("inception.dlm").weightCount());
    }

    static long inception(long in, long c1, long c3r, long c3, long c5r, long c5, long pool) {
        return conv(in, c1, 1, true) + conv(in, c3r, 1, true) + conv(c3r, c3, 3, true)
                + conv(in, c5r, 1, true) + conv(c5r, c5, 5, true) + conv(in, pool, 1, true);
    }

    /** DenseNet-121 features (torchvision: 7,978,856 with its 1000-class classifier) and a 1-unit head. */
    @Test void chexnet() throws Exception {
        long n = conv(3, 64, 7, false) + bn(64);
        long c = 64;
        int[] blocks = {6, 12, 24, 16};
        for (int b = 0; b < blocks.length; b++) {
            for (int i = 0; i < blocks[b]; i++) {
                n += bn(c) + conv(c, 128, 1, false) + bn(128) + conv(128, 32, 3, false);
                c += 32;
            }
            if (b < blocks.length - 1) { n += bn(c) + conv(c, c / 2, 1, false); c /= 2; }
        }
        n += bn(c);
        assertEquals(1024, c);
        assertEquals(7_978_856, n + dense(1024, 1000));
        Graph g = model("chexnet_transfer.dlm");
        assertEquals(n + dense(1024, 1), g.weightCount());
        assertEquals(6_954_881, g.weightCount());
        // trainable = [head]: only the new head learns.
        assertEquals(List.of("head.weight", "head.bias"),
                g.trainableParams().stream().map(p -> ((dlm.ir.Op.Param) p.op()).name()).toList());
    }
}
