package dlm.runtime.io;

import dlm.runtime.DlmException;
import dlm.runtime.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The IDX format of MNIST and Fashion-MNIST: two zero bytes, a type code, the number of
 * dimensions, then each dimension as a big-endian int32, then the big-endian data. Gzip is
 * detected by its magic bytes.
 */
public final class Idx {
    private Idx() {}

    /** The raw values as floats (unscaled), with the file's shape. */
    public static Tensor read(Path file) {
        byte[] b;
        try (InputStream in = Csv.open(file)) {
            b = in.readAllBytes();
        } catch (NoSuchFileException e) {
            throw new DlmException(file + ": no such file");
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new DlmException(file + ": corrupt or truncated gzip data: " + e.getMessage());
        } catch (IOException e) {
            throw new DlmException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(b, file.toString());
    }

    public static Tensor parse(byte[] b, String source) {
        if (b.length < 4) throw new DlmException(source + ": truncated: " + b.length + " bytes, an IDX file starts with a 4-byte magic");
        if (b[0] != 0 || b[1] != 0)
            throw new DlmException(source + ": not an IDX file: magic number "
                    + String.format("0x%02x%02x%02x%02x", b[0], b[1], b[2], b[3]) + " at byte 0 does not start with two zero bytes");
        int type = b[2] & 0xff;
        int width = switch (type) {
            case 0x08, 0x09 -> 1;
            case 0x0B -> 2;
            case 0x0C, 0x0D -> 4;
            case 0x0E -> 8;
            default -> throw new DlmException(source + ": unknown IDX element type 0x" + Integer.toHexString(type) + " at byte 2");
        };
        int rank = b[3] & 0xff;
        if (rank == 0) throw new DlmException(source + ": IDX file with 0 dimensions at byte 3");
        int headerLen = 4 + 4 * rank;
        if (b.length < headerLen)
            throw new DlmException(source + ": truncated: header needs " + headerLen + " bytes, file has " + b.length);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
        int[] shape = new int[rank];
        long numel = 1;
        for (int i = 0; i < rank; i++) {
            shape[i] = bb.getInt(4 + 4 * i);
            if (shape[i] < 0) throw new DlmException(source + ": negative dimension at byte " + (4 + 4 * i));
            numel *= shape[i];
            if (numel > Integer.MAX_VALUE - 8) throw new DlmException(source + ": IDX array too large: " + Arrays.toString(shape));
        }
        long expected = headerLen + numel * width;
        if (b.length < expected)
            throw new DlmException(source + ": truncated: shape " + Arrays.toString(shape) + " needs " + expected
                    + " bytes, file has " + b.length);
        float[] out = new float[(int) numel];
        if (type == 0x08) {
            // Unsigned bytes (every MNIST-style image file): a plain loop the JIT vectorizes,
            // not a ByteBuffer read and a type switch per element.
            for (int i = 0; i < out.length; i++) out[i] = b[headerLen + i] & 0xff;
            return Tensor.of(out, shape);
        }
        bb.position(headerLen);
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (type) {
                case 0x08 -> bb.get() & 0xff;
                case 0x09 -> bb.get();
                case 0x0B -> bb.getShort();
                case 0x0C -> bb.getInt();
                case 0x0D -> bb.getFloat();
                default -> (float) bb.getDouble();
            };
        }
        return Tensor.of(out, shape);
    }

    /** Writes unsigned bytes (type 0x08); values must be integers 0..255. Used for tests and tools. */
    public static byte[] toUbyteBytes(Tensor t) {
        int[] s = t.shape();
        ByteBuffer bb = ByteBuffer.allocate(4 + 4 * s.length + t.numel()).order(ByteOrder.BIG_ENDIAN);
        bb.put((byte) 0).put((byte) 0).put((byte) 0x08).put((byte) s.length);
        for (int d : s) bb.putInt(d);
        for (float v : t.data()) {
            if (v < 0 || v > 255 || v != Math.rint(v)) throw new IllegalArgumentException("not a ubyte: " + v);
            bb.put((byte) (int) v);
        }
        return bb.array();
    }
}
