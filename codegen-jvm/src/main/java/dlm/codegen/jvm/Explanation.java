package dlm.codegen.jvm;

import java.util.List;

/**
 * How the JVM backend compiles one graph at one batch size: the kernels (generated methods) in
 * run order, and the arena. Made by {@link JvmCompiler#explain}; {@code dlm explain} prints it.
 *
 * @param kernels    the kernels that run code, in order
 * @param arenaBytes the whole arena: state and work region
 * @param stateBytes the state region (parameters and optimizer state)
 */
public record Explanation(String graph, int batch, boolean fused, List<Kernel> kernels, long arenaBytes, long stateBytes) {
    /**
     * One kernel.
     *
     * @param ops      its ops, e.g. {@code %12 = add(%10, %11) f32[32,10]}
     * @param stores   for a fused loop, each value it writes to the arena and why (the others stay in locals)
     * @param boundary why the next kernel is not part of this one
     * @param split    whether its loop runs split over the kernel threads (when the model has two or more)
     */
    public record Kernel(List<String> ops, List<String> stores, String boundary, boolean split) {}

    public int kernelCount() { return kernels.size(); }

    /** Kernels that are fused loops of several ops. */
    public long fusedCount() { return kernels.stream().filter(k -> k.ops().size() > 1).count(); }
}
