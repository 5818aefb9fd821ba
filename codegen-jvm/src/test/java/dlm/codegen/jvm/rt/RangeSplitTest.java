package dlm.codegen.jvm.rt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ranges a split loop is cut into: contiguous, covering [0, n) once, none empty, starts on the grain. */
class RangeSplitTest {
    @Test void rangesTileTheLoop() {
        for (int n : new int[]{1, 2, 7, 8, 9, 15, 16, 17, 1001, 77077, 262144})
            for (int grain : new int[]{1, 8, 16})
                for (int parts = 1; parts <= 5; parts++) {
                    long units = ((long) n + grain - 1) / grain;
                    if (parts > units) continue; // RangeSplit.run never asks for more parts than units
                    String what = "n=" + n + " grain=" + grain + " parts=" + parts;
                    assertEquals(0, RangeSplit.bound(0, parts, n, grain), what);
                    assertEquals(n, RangeSplit.bound(parts, parts, n, grain), what);
                    for (int p = 0; p < parts; p++) {
                        int from = RangeSplit.bound(p, parts, n, grain), to = RangeSplit.bound(p + 1, parts, n, grain);
                        assertTrue(from < to, what + ": part " + p + " is empty");
                        assertEquals(0, from % grain, what + ": part " + p + " starts off the grain");
                    }
                }
    }

    /** A stand-in for a generated class: records the ranges it is called back with. */
    private static final class Recorder implements RangeKernels {
        final List<int[]> calls = new ArrayList<>();
        @Override public synchronized void range(int kernel, float[] arena, int from, int to) { calls.add(new int[]{kernel, from, to}); }
    }

    @Test void runsOnTheTeamOrLeavesTheLoopToTheCaller() {
        Recorder r = new Recorder();
        try (RunContext one = new RunContext(1); RunContext three = new RunContext(3)) {
            assertFalse(RangeSplit.run(one, r, 4, new float[1], 1000, 8), "no team: the caller runs it");
            assertFalse(RangeSplit.run(null, r, 4, new float[1], 1000, 8), "no context: the caller runs it");
            assertFalse(RangeSplit.run(three, r, 4, new float[1], 8, 8), "one vector: one part, the caller runs it");
            assertTrue(r.calls.isEmpty());
            assertTrue(RangeSplit.run(three, r, 4, new float[1], 1001, 8));
            assertEquals(RangeSplit.CHUNKS_PER_THREAD * 3, r.calls.size(), "chunks the threads take in turn");
            r.calls.sort(java.util.Comparator.comparingInt(c -> c[1]));
            int next = 0;
            for (int[] c : r.calls) {
                assertEquals(4, c[0]);
                assertEquals(next, c[1], "the chunks tile the loop in order, without gaps or overlaps");
                next = c[2];
            }
            assertEquals(1001, next);
            r.calls.clear();
            assertTrue(RangeSplit.run(three, r, 4, new float[1], 24, 8), "three vectors: one chunk each");
            assertEquals(3, r.calls.size());
        }
    }
}
