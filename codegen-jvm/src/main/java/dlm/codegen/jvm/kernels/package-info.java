/**
 * Hand-written compute kernels that generated code calls as static methods.
 *
 * <p>Conventions, so that bytecode can call any kernel the same way:
 * <ul>
 *   <li>Arguments are {@code float[]} arrays with an explicit offset, sizes and (for
 *       matrices) a row stride; all matrices are row-major, tensors NCHW.</li>
 *   <li>No allocation in steady state: scratch comes from the caller
 *       ({@link dlm.codegen.jvm.kernels.GemmWorkspace}, column buffers for im2col), threads from a caller-owned
 *       {@link dlm.codegen.jvm.kernels.KernelThreads}.</li>
 *   <li>Kernels that write a gradient into an input-shaped buffer (col2im, average
 *       pooling backward) accumulate, so contributions can be summed without a temporary.</li>
 *   <li>Classes ending in {@code Vector} use {@code jdk.incubator.vector} and are reached
 *       only when {@link dlm.codegen.jvm.kernels.Simd#ENABLED}; every public entry point
 *       has a plain-Java path giving the same results within rounding.</li>
 * </ul>
 */
package dlm.codegen.jvm.kernels;
