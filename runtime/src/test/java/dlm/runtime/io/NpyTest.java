package dlm.runtime.io;

import dlm.runtime.DlmException;
import dlm.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

class NpyTest {
    @TempDir
    Path dir;

    /** An .npy image with the given header dict, version and data, as NumPy would lay it out. */
    static byte[] npy(int version, String dict, int dataBytes, ByteOrder order, Consumer<ByteBuffer> fill) {
        int pre = version == 1 ? 10 : 12;
        int total = (pre + dict.length() + 1 + 63) / 64 * 64;
        String header = dict + " ".repeat(total - pre - dict.length() - 1) + "\n";
        ByteBuffer b = ByteBuffer.allocate(total + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
        if (version == 1) b.putShort((short) header.length());
        else b.putInt(header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        ByteBuffer data = b.slice().order(order);
        fill.accept(data);
        return b.array();
    }

    static String dict(String descr, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    }

    private static Tensor parse(byte[] b) {
        return Npy.parse(b, "a.npy");
    }

    @Test
    void roundTrip() {
        Tensor t = Tensor.of(new float[]{1, 2, 3, 4, 5, 6.5f}, 2, 3);
        byte[] b = Npy.toBytes(t);
        assertEquals(0, (b.length - 24) % 64, "data starts on a 64-byte boundary");
        assertEquals(t, parse(b));
        assertEquals(Tensor.vector(1, 2), parse(Npy.toBytes(Tensor.vector(1, 2))));
        assertEquals(Tensor.scalar(3), parse(Npy.toBytes(Tensor.scalar(3))));
        String header = new String(b, 10, 60, StandardCharsets.ISO_8859_1);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), header);
    }

    @Test
    void writesFiles() {
        Path p = dir.resolve("x.npy");
        Npy.write(p, Tensor.vector(9, 8, 7));
        assertEquals(Tensor.vector(9, 8, 7), Npy.read(p));
    }

    @Test
    void everySupportedDtype() {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        assertEquals(Tensor.vector(1.5f, -2), parse(npy(1, dict("<f8", "(2,)"), 16, le, b -> b.putDouble(1.5).putDouble(-2))));
        assertEquals(Tensor.vector(-3, 70000), parse(npy(1, dict("<i4", "(2,)"), 8, le, b -> b.putInt(-3).putInt(70000))));
        assertEquals(Tensor.vector(-4, 1L << 40), parse(npy(1, dict("<i8", "(2,)"), 16, le, b -> b.putLong(-4).putLong(1L << 40))));
        assertEquals(Tensor.vector(0, 255), parse(npy(1, dict("|u1", "(2,)"), 2, le, b -> b.put((byte) 0).put((byte) -1))));
        assertEquals(Tensor.vector(-5, 300), parse(npy(1, dict("<i2", "(2,)"), 4, le, b -> b.putShort((short) -5).putShort((short) 300))));
        assertEquals(Tensor.vector(1, 0), parse(npy(1, dict("|b1", "(2,)"), 2, le, b -> b.put((byte) 1).put((byte) 0))));
        assertEquals(Tensor.of(new float[]{0.5f, 2}, 1, 2), parse(npy(1, dict(">f4", "(1, 2)"), 8, ByteOrder.BIG_ENDIAN,
                b -> b.putFloat(0.5f).putFloat(2))));
    }

    @Test
    void version2Header() {
        assertEquals(Tensor.of(new float[]{1, 2, 3, 4}, 2, 2),
                parse(npy(2, dict("<f4", "(2, 2)"), 16, ByteOrder.LITTLE_ENDIAN, b -> b.putFloat(1).putFloat(2).putFloat(3).putFloat(4))));
    }

    @Test
    void fortranOrderIsRefused() {
        String d = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }";
        DlmException e = assertThrows(DlmException.class, () -> parse(npy(1, d, 16, ByteOrder.LITTLE_ENDIAN, b -> {})));
        assertEquals("a.npy: Fortran-order arrays are not supported; save it in C order (np.ascontiguousarray)", e.getMessage());
    }

    @Test
    void truncatedDataSaysExpectedAndActual() {
        byte[] full = Npy.toBytes(Tensor.zeros(3, 4));
        DlmException e = assertThrows(DlmException.class, () -> parse(Arrays.copyOf(full, full.length - 5)));
        assertEquals("a.npy: truncated: shape [3, 4] of <f4 needs 48 data bytes after the header (byte 128), found 43", e.getMessage());
        e = assertThrows(DlmException.class, () -> parse(Arrays.copyOf(full, 30)));
        assertTrue(e.getMessage().contains("truncated: header needs 128 bytes, file has 30"), e.getMessage());
    }

    @Test
    void badMagicAndDtype() {
        byte[] b = Npy.toBytes(Tensor.zeros(1));
        b[1] = 'X';
        assertTrue(assertThrows(DlmException.class, () -> parse(b)).getMessage().contains("bad magic"));
        DlmException e = assertThrows(DlmException.class,
                () -> parse(npy(1, dict("<c8", "(1,)"), 8, ByteOrder.LITTLE_ENDIAN, x -> {})));
        assertTrue(e.getMessage().contains("unsupported dtype '<c8'"), e.getMessage());
        String structured = "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }";
        e = assertThrows(DlmException.class, () -> parse(npy(1, structured, 4, ByteOrder.LITTLE_ENDIAN, x -> {})));
        assertTrue(e.getMessage().contains("structured"), e.getMessage());
    }

    @Test
    void npzRoundTripAndErrors() throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("x", Tensor.of(new float[]{1, 2, 3, 4}, 2, 2));
        m.put("y", Tensor.vector(0, 1));
        Path p = dir.resolve("d.npz");
        Npz.write(p, m);
        Map<String, Tensor> back = Npz.read(p);
        assertEquals(m, back);
        assertEquals(List.of("x", "y"), List.copyOf(back.keySet()));

        Path junk = dir.resolve("junk.npz");
        Files.writeString(junk, "not a zip");
        assertTrue(assertThrows(DlmException.class, () -> Npz.read(junk)).getMessage().startsWith(junk + ": "));

        // A bad member is reported with the archive and the member name.
        Path bad = dir.resolve("bad.npz");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(bad))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("w.npy"));
            byte[] full = Npy.toBytes(Tensor.zeros(4));
            zip.write(full, 0, full.length - 4);
            zip.closeEntry();
        }
        DlmException e = assertThrows(DlmException.class, () -> Npz.read(bad));
        assertTrue(e.getMessage().startsWith(bad + "[w.npy]: truncated"), e.getMessage());
    }
}
