package dlm.runtime.io;

import dlm.runtime.Dataset;
import dlm.runtime.DlmException;
import dlm.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class IdxTest {
    @TempDir
    Path dir;

    static void write(Path p, Tensor t, boolean gzip) throws IOException {
        byte[] b = Idx.toUbyteBytes(t);
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
            out.write(b);
        }
    }

    static Tensor images(int n, int seed) {
        float[] d = new float[n * 28 * 28];
        for (int i = 0; i < d.length; i++) d[i] = (i * 31 + seed) % 256;
        return Tensor.of(d, n, 28, 28);
    }

    @Test
    void readsPlainAndGzipped() throws IOException {
        Tensor t = Tensor.of(new float[]{0, 1, 255, 128, 7, 9}, 2, 3);
        Path plain = dir.resolve("a-idx2-ubyte"), gz = dir.resolve("a-idx2-ubyte.gz");
        write(plain, t, false);
        write(gz, t, true);
        assertEquals(t, Idx.read(plain));
        assertEquals(t, Idx.read(gz));
    }

    @Test
    void unsignedBytesAboveOneTwentySevenStayPositiveAndOtherTypesKeepTheirSign() {
        // 0x08 takes its own fast loop; 0x09 (signed byte) and 0x0B (big-endian short) the general one.
        byte[] ubyte = {0, 0, 0x08, 1, 0, 0, 0, 5, 0, 1, 127, (byte) 128, (byte) 255};
        assertEquals(Tensor.vector(0, 1, 127, 128, 255), Idx.parse(ubyte, "u"));
        byte[] sbyte = {0, 0, 0x09, 1, 0, 0, 0, 3, 1, (byte) 128, (byte) 255};
        assertEquals(Tensor.vector(1, -128, -1), Idx.parse(sbyte, "s"));
        byte[] shorts = {0, 0, 0x0B, 1, 0, 0, 0, 2, 1, 2, (byte) 0xff, (byte) 0xfe};
        assertEquals(Tensor.vector(258, -2), Idx.parse(shorts, "h"));
    }

    @Test
    void badMagic() throws IOException {
        Path p = dir.resolve("x");
        Files.write(p, new byte[]{1, 2, 8, 1, 0, 0, 0, 0});
        assertEquals(p + ": not an IDX file: magic number 0x01020801 at byte 0 does not start with two zero bytes",
                assertThrows(DlmException.class, () -> Idx.read(p)).getMessage());
        Files.write(p, new byte[]{0, 0, 0x42, 1, 0, 0, 0, 0});
        assertTrue(assertThrows(DlmException.class, () -> Idx.read(p)).getMessage().contains("unknown IDX element type 0x42"));
    }

    @Test
    void truncated() throws IOException {
        byte[] b = Idx.toUbyteBytes(Tensor.zeros(3, 4, 4));
        Path p = dir.resolve("x");
        Files.write(p, Arrays.copyOf(b, b.length - 1));
        assertEquals(p + ": truncated: shape [3, 4, 4] needs 64 bytes, file has 63",
                assertThrows(DlmException.class, () -> Idx.read(p)).getMessage());
        Files.write(p, Arrays.copyOf(b, 9));
        assertTrue(assertThrows(DlmException.class, () -> Idx.read(p)).getMessage().contains("header needs 16 bytes"));
        // A gzip stream cut short is an error too, not a silently short array.
        write(p, Tensor.zeros(3, 4, 4), true);
        byte[] gz = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(gz, gz.length - 12));
        assertTrue(assertThrows(DlmException.class, () -> Idx.read(p)).getMessage().startsWith(p + ": "));
    }

    @Test
    void loadsAnMnistDirectory() throws IOException {
        Tensor trX = images(5, 1), teX = images(3, 2);
        write(dir.resolve("train-images-idx3-ubyte.gz"), trX, true);
        write(dir.resolve("train-labels-idx1-ubyte.gz"), Tensor.vector(0, 1, 2, 3, 9), true);
        write(dir.resolve("t10k-images-idx3-ubyte"), teX, false);
        write(dir.resolve("t10k-labels-idx1-ubyte"), Tensor.vector(4, 5, 6), false);
        IdxDataset d = IdxDataset.load(dir);
        assertArrayEquals(new int[]{5, 1, 28, 28}, d.trainImages().shape());
        assertArrayEquals(new int[]{3, 1, 28, 28}, d.testImages().shape());
        assertEquals(trX.data()[100] / 255f, d.trainImages().data()[100]);
        float max = 0;
        for (float v : d.trainImages().data()) max = Math.max(max, v);
        assertEquals(1f, max);
        assertEquals(Tensor.vector(0, 1, 2, 3, 9), d.trainLabels());
        Dataset train = d.train("x", "label");
        assertEquals(5, train.size());
        assertSame(d.testLabels(), d.test("x", "label").target("label"));
    }

    @Test
    void directoryErrors() throws IOException {
        assertTrue(assertThrows(DlmException.class, () -> IdxDataset.load(dir)).getMessage()
                .contains("missing train-images-idx3-ubyte"));
        write(dir.resolve("train-images-idx3-ubyte"), images(5, 1), false);
        write(dir.resolve("train-labels-idx1-ubyte"), Tensor.vector(0, 1), false);
        assertTrue(assertThrows(DlmException.class, () -> IdxDataset.load(dir)).getMessage()
                .contains("2 labels for 5 images"));
    }
}
