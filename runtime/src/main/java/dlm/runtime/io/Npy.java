package dlm.runtime.io;

import dlm.runtime.DlmException;
import dlm.runtime.Tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * NumPy's {@code .npy} format (versions 1, 2 and 3 of the header). Reads {@code f4 f8 i1 i2 i4
 * i8 u1 u2 b1} in either byte order, C order only, converting to float; writes {@code <f4}.
 */
public final class Npy {
    private Npy() {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    public static Tensor read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DlmException(file + ": no such file");
        } catch (IOException e) {
            throw new DlmException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(bytes, file.toString());
    }

    /** Parses a whole {@code .npy} image; {@code source} names it in error messages. */
    public static Tensor parse(byte[] b, String source) {
        if (b.length < 10) throw bad(source, "truncated: " + b.length + " bytes is shorter than an .npy preamble");
        for (int i = 0; i < MAGIC.length; i++)
            if (b[i] != MAGIC[i]) throw bad(source, "not an .npy file (bad magic at byte 0)");
        int major = b[6] & 0xff;
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen;
        int headerStart;
        switch (major) {
            case 1 -> { headerLen = bb.getShort(8) & 0xffff; headerStart = 10; }
            case 2, 3 -> {
                if (b.length < 12) throw bad(source, "truncated .npy preamble");
                headerLen = bb.getInt(8) & 0xffffffffL;
                headerStart = 12;
            }
            default -> throw bad(source, "unsupported .npy version " + major + "." + (b[7] & 0xff) + " at byte 6");
        }
        if (headerStart + headerLen > b.length)
            throw bad(source, "truncated: header needs " + (headerStart + headerLen) + " bytes, file has " + b.length);
        String header = new String(b, headerStart, (int) headerLen,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Header h = Header.parse(header, source, headerStart);
        int dataStart = headerStart + (int) headerLen;
        long numel = 1;
        for (int d : h.shape) numel *= d;
        if (numel > Integer.MAX_VALUE - 8) throw bad(source, "array of " + numel + " elements is too large");
        long expected = numel * h.width;
        long actual = b.length - dataStart;
        if (actual < expected)
            throw bad(source, "truncated: shape " + java.util.Arrays.toString(h.shape) + " of " + h.descr + " needs "
                    + expected + " data bytes after the header (byte " + dataStart + "), found " + actual);
        ByteBuffer data = ByteBuffer.wrap(b, dataStart, (int) expected).slice().order(h.order);
        float[] out = new float[(int) numel];
        int n = out.length;
        switch ("" + h.kind + h.width) {
            case "f4" -> data.asFloatBuffer().get(out);
            case "f8" -> { for (int i = 0; i < n; i++) out[i] = (float) data.getDouble(); }
            case "f2" -> { for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(data.getShort()); }
            case "i1" -> { for (int i = 0; i < n; i++) out[i] = data.get(); }
            case "i2" -> { for (int i = 0; i < n; i++) out[i] = data.getShort(); }
            case "i4" -> { for (int i = 0; i < n; i++) out[i] = data.getInt(); }
            case "i8" -> { for (int i = 0; i < n; i++) out[i] = data.getLong(); }
            case "u1", "b1" -> { for (int i = 0; i < n; i++) out[i] = data.get() & 0xff; }
            case "u2" -> { for (int i = 0; i < n; i++) out[i] = data.getShort() & 0xffff; }
            case "u4" -> { for (int i = 0; i < n; i++) out[i] = data.getInt() & 0xffffffffL; }
            default -> throw bad(source, "unsupported dtype '" + h.descr + "'");
        }
        return Tensor.of(out, h.shape);
    }

    private static DlmException bad(String source, String msg) {
        return new DlmException(source + ": " + msg);
    }

    /** The parsed header dict: {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}. */
    private record Header(String descr, char kind, int width, ByteOrder order, int[] shape) {
        static Header parse(String text, String source, int at) {
            String descr = stringValue(text, "descr", source, at);
            String fortran = rawValue(text, "fortran_order", source, at);
            String shapeText = rawValue(text, "shape", source, at);
            if (fortran.startsWith("True"))
                throw bad(source, "Fortran-order arrays are not supported; save it in C order (np.ascontiguousarray)");
            if (!fortran.startsWith("False")) throw bad(source, "bad fortran_order in header at byte " + at);
            if (descr.length() < 3) throw bad(source, "unsupported dtype '" + descr + "'");
            ByteOrder order = switch (descr.charAt(0)) {
                case '<', '|', '=' -> ByteOrder.LITTLE_ENDIAN;
                case '>' -> ByteOrder.BIG_ENDIAN;
                default -> throw bad(source, "unsupported dtype '" + descr + "'");
            };
            char kind = descr.charAt(1);
            int width;
            try {
                width = Integer.parseInt(descr.substring(2));
            } catch (NumberFormatException e) {
                throw bad(source, "unsupported dtype '" + descr + "'");
            }
            if ("fiub".indexOf(kind) < 0) throw bad(source, "unsupported dtype '" + descr + "'");
            if (!shapeText.startsWith("(") || shapeText.indexOf(')') < 0)
                throw bad(source, "bad shape in header at byte " + at);
            String inner = shapeText.substring(1, shapeText.indexOf(')'));
            List<Integer> dims = new ArrayList<>();
            for (String p : inner.split(",")) {
                String t = p.strip();
                if (t.isEmpty()) continue;
                if (t.endsWith("L")) t = t.substring(0, t.length() - 1); // Python 2 longs
                try {
                    int d = Integer.parseInt(t);
                    if (d < 0) throw new NumberFormatException();
                    dims.add(d);
                } catch (NumberFormatException e) {
                    throw bad(source, "bad dimension '" + t + "' in header shape");
                }
            }
            return new Header(descr, kind, width, order, dims.stream().mapToInt(Integer::intValue).toArray());
        }

        private static String rawValue(String text, String key, String source, int at) {
            int k = text.indexOf("'" + key + "'");
            if (k < 0) k = text.indexOf("\"" + key + "\"");
            if (k < 0) throw bad(source, "header at byte " + at + " has no '" + key + "'");
            int colon = text.indexOf(':', k + key.length() + 2);
            if (colon < 0) throw bad(source, "header at byte " + at + " is malformed near '" + key + "'");
            return text.substring(colon + 1).strip();
        }

        private static String stringValue(String text, String key, String source, int at) {
            String v = rawValue(text, key, source, at);
            if (v.isEmpty() || (v.charAt(0) != '\'' && v.charAt(0) != '"'))
                throw bad(source, "'" + key + "' in header at byte " + at + " is not a string"
                        + (key.equals("descr") ? " (structured dtypes are not supported)" : ""));
            int end = v.indexOf(v.charAt(0), 1);
            if (end < 0) throw bad(source, "unterminated string in header at byte " + at);
            return v.substring(1, end);
        }
    }

    /** The {@code .npy} image of a tensor as {@code <f4}, version 1 header. */
    public static byte[] toBytes(Tensor t) {
        StringBuilder shape = new StringBuilder("(");
        int[] s = t.shape();
        for (int i = 0; i < s.length; i++) shape.append(i > 0 ? ", " : "").append(s[i]);
        if (s.length == 1) shape.append(',');
        shape.append(')');
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        // NumPy pads so that the data starts at a multiple of 64 bytes, ending the header with '\n'.
        int total = (10 + dict.length() + 1 + 63) / 64 * 64;
        String header = dict + " ".repeat(total - 10 - dict.length() - 1) + "\n";
        if (header.length() > 0xffff) throw new IllegalArgumentException("shape too long for an .npy v1 header");
        ByteBuffer bb = ByteBuffer.allocate(total + 4 * t.numel()).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        bb.put(header.getBytes(StandardCharsets.ISO_8859_1));
        bb.asFloatBuffer().put(t.data());
        return bb.array();
    }

    public static void write(Path file, Tensor t) {
        byte[] bytes = toBytes(t);
        AtomicFiles.write(file, (OutputStream out) -> out.write(bytes));
    }
}
