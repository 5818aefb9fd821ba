package dlm.codegen.jvm.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

    /**
     * The parking policy: an idle worker spins for a while (a parked thread is slow to wake),
     * then parks (an idle team must not burn a core), and {@link KernelThreads#wake} gets a
     * parked worker spinning again before the next call.
     */
    @Test
    void idleWorkerParksAfterItsSpinAndWakeStartsItSpinning() throws InterruptedException {
        try (KernelThreads team = new KernelThreads(2, jit(false))) {
            Thread worker = workerThread(team);
            awaitState(worker, Thread.State.WAITING);
            int unparks = team.unparks(1);
            team.wake();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (team.unparks(1) == unparks) {
                assertTrue(System.nanoTime() < deadline, "wake() left the worker parked");
                Thread.onSpinWait();
            }
            awaitState(worker, Thread.State.WAITING); // and parks again after its spin
            int[] seen = new int[2];
            team.run((part, parts) -> seen[part]++, 2);
            assertEquals(1, seen[0]);
            assertEquals(1, seen[1]);
        }
    }

    /**
     * A part its worker has not taken by the time the caller is done with part 0 (the worker was
     * parked, or not scheduled) is run by the caller rather than waited for. The worker is made
     * late on purpose: it holds between seeing the call and taking its part until the call has
     * returned (at most two seconds, so that a team without stealing fails instead of hanging).
     */
    @Test
    void callerRunsThePartOfALateWorker() throws InterruptedException {
        try (KernelThreads team = new KernelThreads(2)) {
            Thread worker = workerThread(team), caller = Thread.currentThread();
            CountDownLatch callReturned = new CountDownLatch(1);
            holdWorkersUntil(team, callReturned);
            Thread[] ranOn = new Thread[2];
            int[] runs = new int[2];
            team.run((part, parts) -> {
                ranOn[part] = Thread.currentThread();
                runs[part]++;
            }, 2);
            callReturned.countDown();
            assertEquals(1, runs[0]);
            assertEquals(1, runs[1]);
            assertEquals(caller, ranOn[0]);
            assertEquals(caller, ranOn[1], "part 1 waited for its late worker");
            team.beforeTake(null);
            // the late worker, having lost its part (or never seen it), takes the next calls
            assertEquals(worker, workerThread(team));
        }
    }

    /**
     * Chunked calls: every chunk runs once per call, on a slot below both the team size and the
     * call's slot limit, the caller's chunks on slot 0, and no two chunks at once on one slot
     * (a slot is a thread's scratch).
     */
    @Test
    void everyChunkRunsOncePerCallAndNoSlotIsSharedAtOnce() {
        try (KernelThreads team = new KernelThreads(3)) {
            Thread caller = Thread.currentThread();
            int calls = 2000;
            AtomicIntegerArray busy = new AtomicIntegerArray(3);
            AtomicInteger errors = new AtomicInteger();
            for (int i = 0; i < calls; i++) {
                int chunks = 1 + i % 20, slots = 1 + i % 4;
                AtomicIntegerArray runs = new AtomicIntegerArray(chunks);
                team.run((chunk, n, slot) -> {
                    if (n != chunks || slot >= Math.min(3, slots) || (Thread.currentThread() == caller) != (slot == 0)
                            || !busy.compareAndSet(slot, 0, 1)) {
                        errors.incrementAndGet();
                        return;
                    }
                    runs.incrementAndGet(chunk);
                    busy.set(slot, 0);
                }, chunks, slots);
                for (int c = 0; c < chunks; c++) assertEquals(1, runs.get(c), "chunk " + c + " of " + chunks);
            }
            assertEquals(0, errors.get());
        }
    }

    /**
     * A thread held inside one chunk does not hold back the rest of the call: the caller takes
     * every other chunk meanwhile. The worker is made to take a chunk (the caller's first chunk
     * waits for it, at most two seconds) and then holds it until the caller has run all the
     * others (at most two seconds, so that a split fixed in advance fails instead of hanging).
     */
    @Test
    void theOtherThreadsTakeTheChunksOfAThreadHeldInOne() {
        try (KernelThreads team = new KernelThreads(2)) {
            Thread worker = workerThread(team), caller = Thread.currentThread();
            int chunks = 8;
            CountDownLatch workerIn = new CountDownLatch(1), othersDone = new CountDownLatch(1);
            AtomicInteger onCaller = new AtomicInteger(), onWorker = new AtomicInteger();
            team.run((chunk, n, slot) -> {
                try {
                    if (Thread.currentThread() == caller) {
                        if (onCaller.get() == 0) workerIn.await(2, TimeUnit.SECONDS);
                        if (onCaller.incrementAndGet() == chunks - 1) othersDone.countDown();
                    } else {
                        workerIn.countDown();
                        onWorker.incrementAndGet();
                        othersDone.await(2, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, chunks, 2);
            assertEquals(1, onWorker.get(), "the held worker took more than its one chunk");
            assertEquals(chunks - 1, onCaller.get(), "the caller waited for the held worker instead of taking its chunks");
            assertEquals(worker, workerThread(team));
        }
    }

    /** A chunked call whose worker never comes (held before taking part) is run by the caller alone. */
    @Test
    void callerRunsEveryChunkWhenTheWorkerIsLate() {
        try (KernelThreads team = new KernelThreads(2)) {
            workerThread(team);
            Thread caller = Thread.currentThread();
            CountDownLatch callReturned = new CountDownLatch(1);
            holdWorkersUntil(team, callReturned);
            int[] slots = new int[4];
            int[] onCaller = new int[1];
            team.run((chunk, n, slot) -> {
                slots[chunk] = slot;
                onCaller[0] += Thread.currentThread() == caller ? 1 : 0;
            }, 4, 2);
            callReturned.countDown();
            team.beforeTake(null);
            assertEquals(4, onCaller[0]);
            assertEquals(0, slots[0] + slots[1] + slots[2] + slots[3]);
        }
    }

    /**
     * While the JIT compilers are busy, {@link KernelThreads#wake} leaves the workers alone and
     * the calls until the next wake run on the caller (the compilers get the other cores); once
     * they are quiet, the next wake brings the workers back.
     */
    @Test
    void callsRunOnTheCallerWhileTheCompilersAreBusy() {
        boolean[] busy = {true};
        JitActivity jit = new JitActivity(() -> 0, () -> 1, () -> 0) {
            @Override boolean busySinceLastLook() { return busy[0]; }
        };
        try (KernelThreads team = new KernelThreads(2, jit)) {
            Thread worker = workerThread(team), caller = Thread.currentThread();
            team.wake();
            for (int i = 0; i < 200; i++) {
                team.run((part, parts) -> assertEquals(caller, Thread.currentThread(), "part " + part), 2);
                team.run((chunk, chunks, slot) -> assertEquals(caller, Thread.currentThread(), "chunk " + chunk), 8, 2);
            }
            busy[0] = false;
            team.wake();
            assertEquals(worker, workerThread(team));
        }
    }

    /** A JIT that is always or never busy. */
    private static JitActivity jit(boolean busy) {
        return new JitActivity(() -> 0, () -> 1, () -> 0) {
            @Override boolean busySinceLastLook() { return busy; }
        };
    }

    /**
     * Makes every worker hold between seeing a call and taking its part until {@code released}
     * (at most two seconds, so that a team that waits for its workers fails instead of hanging).
     */
    private static void holdWorkersUntil(KernelThreads team, CountDownLatch released) {
        team.beforeTake(() -> {
            try {
                released.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** The team's worker thread: runs calls until part 1 runs somewhere other than the caller. */
    private static Thread workerThread(KernelThreads team) {
        Thread[] worker = new Thread[1];
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (worker[0] == null || worker[0] == Thread.currentThread()) {
            assertTrue(System.nanoTime() < deadline, "part 1 never ran on a worker");
            team.run((part, parts) -> {
                if (part == 1) worker[0] = Thread.currentThread();
            }, 2);
        }
        return worker[0];
    }

    /** Polls the thread's state until it is {@code state}; fails after five seconds. */
    private static void awaitState(Thread thread, Thread.State state) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (thread.getState() != state) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(thread.getName() + " still " + thread.getState() + ", expected " + state);
            }
            Thread.onSpinWait();
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
