package dlm.codegen.jvm.rt;

/**
 * The loops of a generated class that run split over the kernel threads, called back by
 * {@link RangeSplit} without reflection: the class numbers them and switches on the number.
 */
public interface RangeKernels {
    /** Runs split loop number {@code kernel} over positions [from, to) of its outermost axis. */
    void range(int kernel, float[] arena, int from, int to);
}
