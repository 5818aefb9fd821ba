package dlm.codegen.jvm.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class KernelThreadsTest {

    @Test
    void everyPartRunsExactlyOncePerCall() {
        try (KernelThreads team = new KernelThreads(3)) {
            AtomicIntegerArray counts = new AtomicIntegerArray(3);
            KernelThreads.Task task = (part, parts) -> counts.incrementAndGet(part);
            int calls = 2000;
            for (int i = 0; i < calls; i++) {
                team.run(task, 1 + i % 3); // varying part counts: idle workers must not rerun old calls
            }
            int expected0 = calls, expected1 = 0, expected2 = 0;
            for (int i = 0; i < calls; i++) {
                int parts = 1 + i % 3;
                expected1 += parts > 1 ? 1 : 0;
                expected2 += parts > 2 ? 1 : 0;
            }
            assertEquals(expected0, counts.get(0));
            assertEquals(expected1, counts.get(1));
            assertEquals(expected2, counts.get(2));
        }
    }

    @Test
    void failureInAWorkerReachesTheCallerAndTheTeamStaysUsable() {
        try (KernelThreads team = new KernelThreads(2)) {
            KernelThreads.Task failing = (part, parts) -> {
                if (part == 1) {
                    throw new IllegalStateException("part 1 failed");
                }
            };
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> team.run(failing, 2));
            assertEquals("part 1 failed", e.getMessage());
            int[] seen = new int[2];
            team.run((part, parts) -> seen[part]++, 2);
            assertEquals(1, seen[0]);
            assertEquals(1, seen[1]);
        }
    }

    @Test
    void closedTeamRunsPartsOnTheCaller() {
        KernelThreads team = new KernelThreads(2);
        team.close();
        Thread caller = Thread.currentThread();
        int[] onCaller = new int[1];
        team.run((part, parts) -> onCaller[0] += Thread.currentThread() == caller ? 1 : 0, 2);
        assertEquals(2, onCaller[0]);
    }
}
