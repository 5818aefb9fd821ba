/**
 * The OpenCL backend: OpenCL C per fused kernel, device buffers, launches through JOCL (see
 * DESIGN.md). Empty so far: the module is in the reactor so that the layout of the pipeline is
 * the one DESIGN.md describes, and no other module depends on it. Until it is built, every
 * model runs on the JVM backend ({@code dlm.codegen.jvm}) or the reference interpreter, and
 * nothing offers an OpenCL option.
 */
package dlm.codegen.opencl;
