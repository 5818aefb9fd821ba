package dlm.codegen.jvm.kernels;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When the compilers count as busy: compile time over wall time since the last look, above one half. */
class JitActivityTest {
    private long compileMillis, uptimeMillis, nanos;
    private final JitActivity jit = new JitActivity(() -> compileMillis, () -> uptimeMillis, () -> nanos);

    @Test
    void firstLookComparesWithTheTimeSinceTheJvmStarted() {
        compileMillis = 600;
        uptimeMillis = 1000;
        assertTrue(jit.busySinceLastLook(), "600 ms of compiling in the JVM's first second");
    }

    @Test
    void quietStartIsNotBusy() {
        compileMillis = 400;
        uptimeMillis = 1000;
        assertFalse(jit.busySinceLastLook());
    }

    @Test
    void laterLooksCompareWithTheTimeSinceTheLastOne() {
        uptimeMillis = 1000;
        jit.busySinceLastLook();
        step(10, 1);
        assertFalse(jit.busySinceLastLook(), "1 ms of compiling in 10 ms");
        step(10, 8);
        assertTrue(jit.busySinceLastLook(), "8 ms of compiling in 10 ms");
        step(10, 5);
        assertFalse(jit.busySinceLastLook(), "exactly half is not above half");
        step(100, 120);
        assertTrue(jit.busySinceLastLook(), "two compilers at once: more compile time than wall time");
    }

    @Test
    void thisJvmsCompilersAreReadWithoutFailing() {
        JitActivity real = JitActivity.ofThisJvm();
        real.busySinceLastLook();
        real.busySinceLastLook(); // either answer is right here; it must not throw
    }

    private void step(long wallMillis, long compiledMillis) {
        nanos += wallMillis * 1_000_000;
        compileMillis += compiledMillis;
    }
}
