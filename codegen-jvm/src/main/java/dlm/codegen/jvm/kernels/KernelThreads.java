package dlm.codegen.jvm.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A small fixed team of platform threads that runs the parts of one kernel call.
 *
 * <p>Made for calls from generated code in a steady-state loop: {@link #run} allocates
 * nothing (no futures, no lambdas; the task is a caller-owned object whose fields hold
 * the call's arguments), and the caller thread itself runs part 0, so a team of size
 * {@code t} owns {@code t - 1} threads.
 *
 * <p>Idle threads spin for {@link #SPIN_NANOS} before they park, so that an idle team costs no
 * CPU for long. The spin is long because waking a parked thread is slow on virtual machines:
 * 170-200 us measured on a 2-vCPU cloud machine, more than many of a step's kernels take;
 * spinning bridges the serial stretches of a step (small ops, the feeds, the optimizer's
 * bookkeeping) and {@link #wake} starts a parked team before a step needs it. A part its
 * worker has not started by the time the caller is done with part 0 (the worker was parked,
 * or the system did not schedule it) is run by the caller: a late worker never makes a call
 * slower than running it on one thread.
 *
 * <p>A call is either cut into one part per thread ({@link Task}) or into more chunks than
 * threads, which the threads take in turn ({@link Chunks}): then a thread the system leaves
 * unscheduled for a while (on a shared machine, another process on its core) holds the call back
 * by at most one chunk.
 *
 * <p>While the JIT compilers are busy, the team steps aside: {@link #wake} finds out, and the
 * calls of that step run on the caller alone, leaving the other cores to the compilers (until
 * they have compiled the kernels, the Vector API code is slow whichever thread runs it).
 *
 * <p>One call at a time: if a second thread calls {@link #run} while the team is busy,
 * that call runs all its parts itself instead of waiting.
 */
public final class KernelThreads implements AutoCloseable {

    /** One part of a parallel kernel call. Implementations are reusable objects. */
    public interface Task {
        void run(int part, int parts);
    }

    /**
     * A kernel call cut into more chunks than there are threads, which the threads take one at a
     * time until none is left (see {@link #run(Chunks, int, int)}). Implementations are reusable
     * objects.
     */
    public interface Chunks {
        /**
         * Runs chunk {@code chunk} of {@code chunks} on the thread whose scratch is {@code slot}
         * (0 for the caller, below {@link #size()}): which thread runs a chunk varies from call
         * to call, so a chunk's result must not depend on it.
         */
        void run(int chunk, int chunks, int slot);
    }

    /** How long an idle thread spins before parking: longer than a step's serial stretches. */
    static final long SPIN_NANOS = 2_000_000;

    private final int size;
    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    /** The part each thread runs for a {@link Chunks} call: take chunks until none is left. */
    private final ChunkLoop chunkLoop = new ChunkLoop();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Task task;
    private volatile int parts;
    private int calls;
    private volatile Thread caller;
    private volatile Throwable failure;
    private volatile boolean closed;
    /** Set by {@link #wake} while the JIT compilers are busy: calls then run on the caller alone. */
    private boolean solo;
    private final JitActivity jit;
    /** Run by a worker between seeing a call and taking its part (tests make a worker late). */
    private volatile Runnable beforeTake;

    /** A team of {@code size} threads including the caller; {@code size - 1} are started. */
    public KernelThreads(int size) {
        this(size, JitActivity.ofThisJvm());
    }

    /** A team that asks {@code jit} at each {@link #wake} whether to step aside. */
    KernelThreads(int size, JitActivity jit) {
        this.jit = jit;
        if (size < 1) {
            throw new IllegalArgumentException("thread count must be >= 1: " + size);
        }
        this.size = size;
        this.workers = new Worker[size - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    /** Number of threads, the caller included. */
    public int size() {
        return size;
    }

    /**
     * Gets parked workers spinning again, so that the next {@link #run} does not wait for them
     * to be woken: call it when a step starts, before its serial work (the feeds). While the JIT
     * compilers are busy (see {@link JitActivity}) it instead leaves the workers parked, and the
     * calls until the next wake run on the caller alone: the compilers get the other cores.
     * Called by the thread that makes the calls.
     */
    public void wake() {
        solo = jit.busySinceLastLook();
        if (solo) {
            return;
        }
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
    }

    /**
     * Runs {@code task.run(i, parts)} for i in [0, parts) and returns when all are done.
     * Part 0 runs on the calling thread, part i on worker i, or on the calling thread when that
     * worker has not started it by the time part 0 is done. {@code parts} must not exceed
     * {@link #size()}.
     */
    public void run(Task task, int parts) {
        if (parts > size || parts < 1) {
            throw new IllegalArgumentException("parts " + parts + " for a team of " + size);
        }
        if (parts == 1 || closed || solo || !busy.compareAndSet(false, true)) {
            for (int p = 0; p < parts; p++) {
                task.run(p, parts);
            }
            return;
        }
        dispatch(task, parts);
    }

    /**
     * Runs {@code task.run(c, chunks, slot)} for every c in [0, chunks) and returns when all are
     * done. Every thread of the team, the caller included, takes the next chunk not yet taken
     * until none is left, so a thread that the system does not schedule for a while (another
     * process on its core) leaves its share to the others instead of making the call wait for
     * it: the call waits for at most the chunk that thread is in. At most {@code slots} threads
     * take part (the task's scratch has room for that many).
     */
    public void run(Chunks task, int chunks, int slots) {
        if (chunks < 1 || slots < 1) {
            throw new IllegalArgumentException("chunks " + chunks + ", slots " + slots);
        }
        int parts = Math.min(size, Math.min(chunks, slots));
        if (parts == 1 || closed || solo || !busy.compareAndSet(false, true)) {
            for (int c = 0; c < chunks; c++) {
                task.run(c, chunks, 0);
            }
            return;
        }
        chunkLoop.start(task, chunks);
        try {
            dispatch(chunkLoop, parts);
        } finally {
            chunkLoop.task = null;
        }
    }

    /** Runs the parts of a call on the team; the caller holds {@link #busy}, released here. */
    private void dispatch(Task task, int parts) {
        try {
            this.task = task;
            this.parts = parts;
            this.caller = Thread.currentThread();
            this.failure = null;
            pending.set(parts - 1);
            int ticket = calls = calls == Integer.MAX_VALUE ? 1 : calls + 1;
            for (int i = 0; i < parts - 1; i++) {
                workers[i].job.set(ticket); // volatile write: publishes the fields above
                LockSupport.unpark(workers[i]);
            }
            Throwable mine = null;
            try {
                task.run(0, parts);
            } catch (Throwable t) {
                mine = t;
            }
            // the parts no worker has taken yet: run them here rather than wait for their worker
            for (int i = 0; i < parts - 1; i++) {
                if (workers[i].job.compareAndSet(ticket, -ticket)) {
                    try {
                        task.run(i + 1, parts);
                    } catch (Throwable t) {
                        mine = mine == null ? t : mine;
                    }
                    pending.decrementAndGet();
                }
            }
            long since = 0;
            for (int spins = 1; pending.get() != 0; spins++) {
                since = idle(spins, since);
            }
            Throwable theirs = failure;
            this.task = null;
            if (mine != null) {
                rethrow(mine);
            }
            if (theirs != null) {
                rethrow(theirs);
            }
        } finally {
            busy.set(false);
        }
    }

    /**
     * One turn of a wait loop: spins, reading the clock every 256 turns, and parks once
     * {@link #SPIN_NANOS} have passed since {@code since} (0: not yet read). Returns the new
     * {@code since}; after a park, 0, so that a thread woken by {@link #wake} spins again.
     */
    private long idle(int spins, long since) {
        if ((spins & 255) != 0) {
            Thread.onSpinWait();
            return since;
        }
        long now = System.nanoTime();
        if (since == 0) {
            return now;
        }
        if (now - since < SPIN_NANOS) {
            Thread.onSpinWait();
            return since;
        }
        LockSupport.park(this);
        return 0;
    }

    /**
     * Makes every worker run {@code hook} after it sees a call and before it takes its part, so
     * that a test can make a worker late deterministically; null removes it.
     */
    void beforeTake(Runnable hook) {
        this.beforeTake = hook;
    }

    /** How many times worker {@code part} (1 to size - 1) has come back from a park. */
    int unparks(int part) {
        return workers[part - 1].unparks;
    }

    private static void rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }

    /** Stops the worker threads; later calls run single-threaded. */
    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
    }

    /** Part {@code part} of a {@link Chunks} call: chunks taken in turn, run with slot {@code part}. */
    private static final class ChunkLoop implements Task {
        private final AtomicInteger next = new AtomicInteger();
        private Chunks task;
        private int chunks;

        /** Written before dispatch publishes the call to the workers (a volatile write). */
        void start(Chunks task, int chunks) {
            this.task = task;
            this.chunks = chunks;
            next.set(0);
        }

        @Override
        public void run(int part, int parts) {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                task.run(c, chunks, part);
            }
        }
    }

    private final class Worker extends Thread {
        private final int part;
        /**
         * The call whose part this worker should run: positive while nobody has taken the part,
         * negated by whoever takes it (this worker, or the caller when the worker is late).
         */
        final AtomicInteger job = new AtomicInteger();
        /** Returns from a park (for tests: the parking policy is not otherwise visible). */
        volatile int unparks;

        Worker(int part) {
            super("dlm-kernel-" + part);
            this.part = part;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (true) {
                long since = 0;
                int ticket;
                for (int spins = 1; (ticket = job.get()) <= 0 && !closed; spins++) {
                    long next = idle(spins, since);
                    if (next == 0 && since != 0) {
                        unparks++;
                    }
                    since = next;
                }
                if (closed) {
                    return;
                }
                Runnable hook = beforeTake;
                if (hook != null) {
                    hook.run();
                }
                if (!job.compareAndSet(ticket, -ticket)) {
                    continue; // the caller ran this part itself
                }
                int n = parts;
                try {
                    task.run(part, n);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    if (pending.decrementAndGet() == 0) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }
    }
}
