package dlm.runtime.io;

import dlm.runtime.DlmException;
import dlm.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
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

import static org.junit.jupiter.api.Assertions.*;

class SafetensorsTest {
    @TempDir
    Path dir;

    /** A file from a raw header text and data bytes. */
    private Path file(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.write(h);
        out.write(data);
        Path p = dir.resolve("t.safetensors");
        Files.write(p, out.toByteArray());
        return p;
    }

    private static byte[] le(int bytes, java.util.function.Consumer<ByteBuffer> fill) {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(b);
        return b.array();
    }

    private String message(Path p) {
        return assertThrows(DlmException.class, () -> Safetensors.read(p)).getMessage();
    }

    @Test
    void roundTripWithMetadata() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("fc2.weight", Tensor.of(new float[]{1, -2.5f, 3e-7f, Float.MAX_VALUE, 0, -0f}, 2, 3));
        m.put("fc1.bias", Tensor.vector(7, 8));
        m.put("step", Tensor.scalar(42));
        m.put("empty", Tensor.zeros(0, 4));
        Path p = dir.resolve("m.safetensors");
        Safetensors.write(p, m, Map.of("format", "pt"));
        Safetensors.Content c = Safetensors.read(p);
        assertEquals(m, c.tensors());
        assertEquals(List.of("empty", "fc1.bias", "fc2.weight", "step"), List.copyOf(c.tensors().keySet()));
        assertEquals(Map.of("format", "pt"), c.metadata());
    }

    @Test
    void writtenHeaderIsAlignedAndSpecShaped() throws IOException {
        Path p = dir.resolve("a.safetensors");
        Safetensors.write(p, Map.of("w", Tensor.vector(1, 2)));
        byte[] b = Files.readAllBytes(p);
        long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, n % 8);
        assertEquals(8 + n + 8, b.length);
        String header = new String(b, 8, (int) n, StandardCharsets.UTF_8).strip();
        assertEquals("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", header);
    }

    @Test
    void readsOtherDtypesAsFloat() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]},"
                + "\"c\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]},"
                + "\"d\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[16,24]},"
                + "\"e\":{\"dtype\":\"I32\",\"shape\":[1,1],\"data_offsets\":[24,28]},"
                + "\"__metadata__\":{\"k\":\"v\"}}";
        byte[] data = le(28, b -> b.putShort((short) 0x3C00).putShort((short) 0xC000) // 1.0, -2.0 in half
                .putShort((short) 0x3F80).putShort((short) 0x4040)                       // 1.0, 3.0 in bfloat16
                .putDouble(0.25).putLong(-7).putInt(123456));
        Safetensors.Content c = Safetensors.read(file(h, data));
        assertEquals(Tensor.vector(1, -2), c.tensors().get("a"));
        assertEquals(Tensor.vector(1, 3), c.tensors().get("b"));
        assertEquals(Tensor.vector(0.25f), c.tensors().get("c"));
        assertEquals(Tensor.vector(-7), c.tensors().get("d"));
        assertEquals(Tensor.of(new float[]{123456}, 1, 1), c.tensors().get("e"));
        assertEquals(Map.of("k", "v"), c.metadata());
    }

    @Test
    void offsetsNeedNotFollowHeaderOrder() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        Map<String, Tensor> t = Safetensors.load(file(h, le(8, b -> b.putFloat(1).putFloat(2))));
        assertEquals(Tensor.vector(2), t.get("a"));
        assertEquals(Tensor.vector(1), t.get("b"));
    }

    @Test
    void truncatedFile() throws IOException {
        Path p = dir.resolve("m.safetensors");
        Safetensors.write(p, Map.of("w", Tensor.zeros(4, 4)));
        byte[] b = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(b, b.length - 10));
        String m = message(p);
        assertTrue(m.startsWith(p + ": "), m);
        assertTrue(m.contains("out of range") && m.contains("truncated"), m);

        Files.write(p, Arrays.copyOf(b, 20));
        assertTrue(message(p).contains("truncated: header needs"), message(p));
        Files.write(p, Arrays.copyOf(b, 5));
        assertTrue(message(p).contains("truncated: 5 bytes"), message(p));
    }

    @Test
    void offsetsOutOfRange() throws IOException {
        String m = message(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,800]}}", new byte[8]));
        assertTrue(m.contains("tensor \"w\"") && m.contains("[0, 800]") && m.contains("out of range"), m);
    }

    @Test
    void overlappingOffsets() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        String m = message(file(h, new byte[12]));
        assertTrue(m.contains("\"a\"") && m.contains("\"b\"") && m.contains("overlap"), m);
    }

    @Test
    void reversedOffsets() throws IOException {
        String m = message(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", new byte[8]));
        assertTrue(m.contains("out of order"), m);
    }

    @Test
    void sizeMustMatchShape() throws IOException {
        String m = message(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]));
        assertTrue(m.contains("needs 12 bytes") && m.contains("span 8"), m);
    }

    @Test
    void badJson() throws IOException {
        String m = message(file("{\"w\":{\"dtype\":\"F32\",", new byte[0]));
        assertTrue(m.contains("bad JSON header") && m.contains("offset"), m);
        assertTrue(message(file("[1,2]", new byte[0])).contains("not a JSON object"));
        assertTrue(message(file("{\"w\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]))
                .contains("unsupported dtype Q7"));
    }

    @Test
    void absurdHeaderLength() throws IOException {
        Path p = dir.resolve("x.safetensors");
        Files.write(p, le(16, b -> b.putLong(Long.MAX_VALUE)));
        assertTrue(message(p).contains("not plausible"), message(p));
    }

    @Test
    void missingFile() {
        assertEquals(dir.resolve("nope") + ": no such file", message(dir.resolve("nope")));
    }

    @Test
    void overwriteReplacesAndAFailedWriteKeepsTheOld() throws IOException {
        Path p = dir.resolve("best.safetensors");
        Safetensors.write(p, Map.of("w", Tensor.vector(1)));
        Safetensors.write(p, Map.of("w", Tensor.vector(2)));
        assertEquals(Tensor.vector(2), Safetensors.load(p).get("w"));
        byte[] before = Files.readAllBytes(p);
        // A reserved name is refused before anything is written.
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(p, Map.of("__metadata__", Tensor.vector(3))));
        assertArrayEquals(before, Files.readAllBytes(p));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count());
        }
    }
}
