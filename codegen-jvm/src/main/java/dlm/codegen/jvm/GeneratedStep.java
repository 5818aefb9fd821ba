package dlm.codegen.jvm;

import dlm.codegen.jvm.rt.RangeKernels;
import dlm.codegen.jvm.rt.RunContext;

/**
 * What a generated class implements. {@link #run} computes every output and update into the
 * arena without touching the state region; {@link #commit} then writes the updates over the
 * state. Split in two so that outputs can be read as they were before the update, and so that
 * a gradient run (which must not move running statistics) simply skips the commit. Its big
 * elementwise loops run split over the kernel threads through {@link RangeKernels#range}.
 */
public interface GeneratedStep extends RangeKernels {
    void run(float[] arena, RunContext ctx);

    void commit(float[] arena);
}
