package dlm.codegen.jvm.rt;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Time per generated kernel method, when classes are compiled with {@code -Ddlm.profile=true}:
 * the generated {@code part} methods then read {@link System#nanoTime()} around each call and
 * add the difference here. Off by default; the generated code then has no trace of it.
 */
public final class Profiler {
    private Profiler() {}

    /** Whether classes compiled from now on are instrumented. */
    public static final boolean ENABLED = Boolean.getBoolean("dlm.profile");

    private static final List<String> NAMES = new ArrayList<>();
    private static volatile AtomicLongArray nanos = new AtomicLongArray(1024), calls = new AtomicLongArray(1024);

    /** Registers a kernel and returns its id, a constant of the generated code. */
    public static synchronized int register(String name) {
        int id = NAMES.size();
        NAMES.add(name);
        if (id >= nanos.length()) {
            AtomicLongArray n = new AtomicLongArray(nanos.length() * 2), c = new AtomicLongArray(nanos.length() * 2);
            for (int i = 0; i < nanos.length(); i++) { n.set(i, nanos.get(i)); c.set(i, calls.get(i)); }
            nanos = n;
            calls = c;
        }
        return id;
    }

    /** Called by generated code after kernel {@code id} that started at {@code t0}. */
    public static void add(int id, long t0) {
        long dt = System.nanoTime() - t0;
        nanos.addAndGet(id, dt);
        calls.incrementAndGet(id);
    }

    public static synchronized void reset() {
        for (int i = 0; i < NAMES.size(); i++) { nanos.set(i, 0); calls.set(i, 0); }
    }

    /** Prints the kernels whose names start with prefix, most time first, up to top lines. */
    public static synchronized void print(PrintStream out, String prefix, int top) {
        List<Integer> ids = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < NAMES.size(); i++)
            if (NAMES.get(i).startsWith(prefix) && calls.get(i) > 0) { ids.add(i); total += nanos.get(i); }
        ids.sort(Comparator.comparingLong(i -> -nanos.get(i)));
        long runs = ids.isEmpty() ? 1 : Math.max(1, calls.get(ids.get(0)));
        out.printf("%-70s %10s %6s%n", prefix + " (per run, " + ids.size() + " kernels)", "us/run", "%");
        for (int k = 0; k < Math.min(top, ids.size()); k++) {
            int i = ids.get(k);
            out.printf("%-70s %10.1f %6.1f%n", NAMES.get(i), nanos.get(i) / 1e3 / calls.get(i), 100.0 * nanos.get(i) / total);
        }
        out.printf("%-70s %10.1f%n", "total", total / 1e3 / runs);
    }
}
