package dlm.codegen.jvm.kernels;

/**
 * Whether the kernels use the Vector API.
 *
 * <p>Decided once per JVM: off when {@code -Ddlm.simd=false} is given or when the
 * {@code jdk.incubator.vector} module is not on the module graph (the JVM was started
 * without {@code --add-modules jdk.incubator.vector}). Classes whose names end in
 * {@code Vector} touch the Vector API; they are only ever reached through a branch on
 * {@link #ENABLED}, so with the module absent they are never loaded.
 */
public final class Simd {
    /** A {@code static final} so that the JIT folds the branch away. */
    public static final boolean ENABLED = detect();

    private Simd() {}

    private static boolean detect() {
        if (!Boolean.parseBoolean(System.getProperty("dlm.simd", "true"))) {
            return false;
        }
        try {
            Class.forName("jdk.incubator.vector.FloatVector", false, Simd.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
