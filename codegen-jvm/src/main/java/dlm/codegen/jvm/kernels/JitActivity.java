package dlm.codegen.jvm.kernels;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * Whether the JIT compilers were busy since the last look: their compile time over that wall
 * time. While a model's code is young the compilers take a core or more: in a fresh JVM the C2
 * compiler works without a pause through lenet5's first training steps (about three seconds),
 * and until it is done the Vector API code runs in its slow, allocating form. A kernel thread
 * competing with the compilers for the machine's cores then delays the moment the kernels
 * become fast; measured on two cores, a fresh JVM reached lenet5's 469th training step about a
 * second sooner when the team stepped aside while the compilers were busy.
 */
class JitActivity {
    /** Compile time, as a fraction of wall time, above which the compilers count as busy. */
    static final double BUSY = 0.5;

    private final LongSupplier compileMillis, uptimeMillis, nanos;
    private long lastNanos, lastCompileMillis = -1;

    /** The JVM's own compilers; never busy when the JVM does not report compile time. */
    static JitActivity ofThisJvm() {
        try {
            CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
            if (jit != null && jit.isCompilationTimeMonitoringSupported()) {
                return new JitActivity(jit::getTotalCompilationTime, ManagementFactory.getRuntimeMXBean()::getUptime, System::nanoTime);
            }
        } catch (RuntimeException | LinkageError e) {
            // no management support: fall through
        }
        return new JitActivity(() -> 0, () -> 1, System::nanoTime);
    }

    /** Compile time and uptime in milliseconds, the clock in nanoseconds. */
    JitActivity(LongSupplier compileMillis, LongSupplier uptimeMillis, LongSupplier nanos) {
        this.compileMillis = compileMillis;
        this.uptimeMillis = uptimeMillis;
        this.nanos = nanos;
    }

    /**
     * True when the compilers worked for more than {@link #BUSY} of the time since the last call,
     * or, the first time, of the time since the JVM started. Allocates nothing.
     */
    boolean busySinceLastLook() {
        long now = nanos.getAsLong(), compile = compileMillis.getAsLong();
        boolean busy = lastCompileMillis >= 0
                ? (compile - lastCompileMillis) * 1_000_000.0 > BUSY * (now - lastNanos)
                : compile > BUSY * uptimeMillis.getAsLong();
        lastNanos = now;
        lastCompileMillis = compile;
        return busy;
    }
}
