package dlm.runtime.io;

import dlm.runtime.DlmException;
import dlm.runtime.Tensor;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.BufferedOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors checkpoint format: an 8-byte little-endian header length, a JSON header
 * mapping each tensor name to {@code dtype}, {@code shape} and {@code data_offsets} (relative
 * to the end of the header) plus an optional {@code __metadata__} string map, then the raw
 * little-endian data. Reads F32, F16, BF16, F64, I64, I32, I16, I8, U8 and BOOL, converting
 * to float; writes F32, atomically.
 */
public final class Safetensors {
    private Safetensors() {}

    /** Header sizes above this are refused (the reference implementation uses 100 MB). */
    static final long MAX_HEADER = 100L << 20;

    /** Tensors in name order and the free-form metadata. */
    public record Content(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /** The tensors of a file, by name. */
    public static Map<String, Tensor> load(Path file) {
        return read(file).tensors();
    }

    public static Content read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw bad(file, "truncated: " + size + " bytes, a safetensors file starts with an 8-byte header length");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > MAX_HEADER)
                throw bad(file, "header length " + Long.toUnsignedString(headerLen) + " at byte 0 is not plausible");
            if (8 + headerLen > size)
                throw bad(file, "truncated: header needs " + (8 + headerLen) + " bytes, file has " + size);
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            String headerText;
            try {
                headerText = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(hb.flip()).toString();
            } catch (CharacterCodingException e) {
                throw bad(file, "header (bytes 8.." + (8 + headerLen) + ") is not UTF-8");
            }
            Object parsed;
            try {
                parsed = Json.parse(headerText);
            } catch (Json.JsonException e) {
                throw bad(file, "bad JSON header: " + e.getMessage() + " (header starts at byte 8)");
            }
            if (!(parsed instanceof Map<?, ?> header)) throw bad(file, "header is not a JSON object");
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;

            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<?, ?> e : header.entrySet()) {
                String name = (String) e.getKey();
                if (name.equals("__metadata__")) {
                    if (!(e.getValue() instanceof Map<?, ?> m)) throw bad(file, "__metadata__ is not an object");
                    for (Map.Entry<?, ?> me : m.entrySet()) {
                        if (!(me.getValue() instanceof String v))
                            throw bad(file, "__metadata__ value for \"" + me.getKey() + "\" is not a string");
                        metadata.put((String) me.getKey(), v);
                    }
                    continue;
                }
                entries.add(entry(file, name, e.getValue(), dataSize));
            }
            // Offsets need not follow header order, but regions must not overlap.
            List<Entry> byOffset = new ArrayList<>(entries);
            byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
            for (int i = 1; i < byOffset.size(); i++) {
                Entry a = byOffset.get(i - 1), b = byOffset.get(i);
                if (b.begin < a.end)
                    throw bad(file, "tensors \"" + a.name + "\" [" + a.begin + ", " + a.end + ") and \"" + b.name
                            + "\" [" + b.begin + ", " + b.end + ") overlap");
            }
            Map<String, Tensor> tensors = new TreeMap<>();
            for (Entry en : entries) {
                ByteBuffer buf = ByteBuffer.allocate((int) (en.end - en.begin)).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, buf, dataStart + en.begin);
                buf.flip();
                tensors.put(en.name, Tensor.of(DType.decode(en.dtype, buf, en.numel), en.shape));
            }
            return new Content(new LinkedHashMap<>(tensors), metadata);
        } catch (NoSuchFileException e) {
            throw new DlmException(file + ": no such file");
        } catch (IOException e) {
            throw new DlmException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private record Entry(String name, String dtype, int[] shape, int numel, long begin, long end) {}

    private static Entry entry(Path file, String name, Object v, long dataSize) {
        String where = "tensor \"" + name + "\": ";
        if (!(v instanceof Map<?, ?> m)) throw bad(file, where + "entry is not an object");
        if (!(m.get("dtype") instanceof String dtype)) throw bad(file, where + "missing \"dtype\"");
        int width = DType.width(dtype);
        if (width < 0) throw bad(file, where + "unsupported dtype " + dtype);
        if (!(m.get("shape") instanceof List<?> sl)) throw bad(file, where + "missing \"shape\"");
        int[] shape = new int[sl.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(sl.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE)
                throw bad(file, where + "bad dimension " + sl.get(i) + " in shape");
            shape[i] = (int) (long) d;
            numel *= d;
            if (numel > Integer.MAX_VALUE - 8) throw bad(file, where + "too many elements for one tensor");
        }
        if (!(m.get("data_offsets") instanceof List<?> ol) || ol.size() != 2
                || !(ol.get(0) instanceof Long begin) || !(ol.get(1) instanceof Long end))
            throw bad(file, where + "\"data_offsets\" must be two integers");
        if (begin < 0 || end < begin)
            throw bad(file, where + "data_offsets [" + begin + ", " + end + "] are out of order");
        if (end > dataSize)
            throw bad(file, where + "data_offsets [" + begin + ", " + end + "] are out of range: data section has "
                    + dataSize + " bytes (file truncated?)");
        if (end - begin != numel * width)
            throw bad(file, where + "shape " + java.util.Arrays.toString(shape) + " of " + dtype + " needs "
                    + numel * width + " bytes, data_offsets span " + (end - begin));
        return new Entry(name, dtype, shape, (int) numel, begin, end);
    }

    private static DlmException bad(Path file, String msg) {
        return new DlmException(file + ": " + msg);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) throw new IOException("unexpected end of file at byte " + pos);
            pos += n;
        }
    }

    public static void write(Path file, Map<String, Tensor> tensors) {
        write(file, tensors, Map.of());
    }

    /** Writes F32 tensors in name order, with optional metadata, atomically. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Tensor> sorted = new TreeMap<>(tensors);
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) header.put("__metadata__", new TreeMap<>(metadata));
        long offset = 0;
        for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
            if (e.getKey().equals("__metadata__")) throw new IllegalArgumentException("tensor name __metadata__ is reserved");
            long bytes = 4L * e.getValue().numel();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", "F32");
            entry.put("shape", e.getValue().shape());
            entry.put("data_offsets", List.of(offset, offset + bytes));
            header.put(e.getKey(), entry);
            offset += bytes;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        // Pad with spaces to a multiple of 8 so the data is aligned, as the reference writer does.
        int padded = (json.length + 7) / 8 * 8;
        AtomicFiles.write(file, raw -> {
            OutputStream bos = new BufferedOutputStream(raw, 1 << 16);
            DataOutputStream out = new DataOutputStream(bos);
            out.writeLong(Long.reverseBytes(padded));
            out.write(json);
            for (int i = json.length; i < padded; i++) out.write(' ');
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : sorted.values()) {
                for (float f : t.data()) {
                    if (chunk.remaining() < 4) {
                        out.write(chunk.array(), 0, chunk.position());
                        chunk.clear();
                    }
                    chunk.putFloat(f);
                }
            }
            out.write(chunk.array(), 0, chunk.position());
            out.flush();
        });
    }
}
