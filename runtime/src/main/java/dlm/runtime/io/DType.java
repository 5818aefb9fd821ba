package dlm.runtime.io;

import java.nio.ByteBuffer;

/** Safetensors element types and their conversion to float. */
final class DType {
    private DType() {}

    /** Bytes per element, or -1 when the type is not supported. */
    static int width(String dtype) {
        return switch (dtype) {
            case "F64", "I64" -> 8;
            case "F32", "I32" -> 4;
            case "F16", "BF16", "I16" -> 2;
            case "I8", "U8", "BOOL" -> 1;
            default -> -1;
        };
    }

    /** Reads {@code n} little-endian elements from {@code buf} (already little-endian). */
    static float[] decode(String dtype, ByteBuffer buf, int n) {
        float[] out = new float[n];
        switch (dtype) {
            case "F32" -> buf.asFloatBuffer().get(out);
            case "F64" -> { for (int i = 0; i < n; i++) out[i] = (float) buf.getDouble(); }
            case "F16" -> { for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(buf.getShort()); }
            case "BF16" -> { for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((buf.getShort() & 0xffff) << 16); }
            case "I64" -> { for (int i = 0; i < n; i++) out[i] = buf.getLong(); }
            case "I32" -> { for (int i = 0; i < n; i++) out[i] = buf.getInt(); }
            case "I16" -> { for (int i = 0; i < n; i++) out[i] = buf.getShort(); }
            case "I8" -> { for (int i = 0; i < n; i++) out[i] = buf.get(); }
            case "U8", "BOOL" -> { for (int i = 0; i < n; i++) out[i] = buf.get() & 0xff; }
            default -> throw new IllegalArgumentException(dtype);
        }
        return out;
    }
}
