package dlm.codegen.jvm;

import dlm.codegen.jvm.rt.RunContext;
import dlm.ir.Graph;
import dlm.runtime.DlmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A graph compiled for one batch size: its generated step and where its inputs and outputs
 * live in the arena. The arena is the caller's (a model shares one among its compiled graphs);
 * it must be at least {@link #arenaSize()} floats with the state region laid out by
 * {@link #state()}.
 *
 * <p>A run: {@link #feed} every input and target, {@link #run}, read outputs with
 * {@link #read}, then {@link #commit} to write the updates over the state. A graph compiled with
 * updates in place ({@link JvmCompiler#compile(Graph, int, StateLayout, java.util.function.Predicate,
 * boolean, boolean)}) writes some of them during {@link #run} already; its runs must always be
 * committed.
 */
public final class CompiledGraph {
    /** An input, target or output: arena offset, element count, resolved shape. */
    public record Port(int offset, int size, int[] shape) {}

    private final Graph graph;
    private final int batch;
    private final StateLayout state;
    private final int arenaSize;
    private final Map<String, Port> feeds;
    private final Map<String, Port> outputs;
    private final GeneratedStep step;
    private final byte[] bytes;

    CompiledGraph(Graph graph, int batch, StateLayout state, int arenaSize, Map<String, Port> feeds,
                  Map<String, Port> outputs, GeneratedStep step, byte[] bytes) {
        this.graph = graph;
        this.batch = batch;
        this.state = state;
        this.arenaSize = arenaSize;
        this.feeds = Collections.unmodifiableMap(feeds);
        this.outputs = Collections.unmodifiableMap(outputs);
        this.step = step;
        this.bytes = bytes;
    }

    public Graph graph() { return graph; }
    public int batch() { return batch; }
    public StateLayout state() { return state; }
    public int arenaSize() { return arenaSize; }
    /** Inputs and targets the run reads (unused leaves need no feed). */
    public Map<String, Port> feeds() { return feeds; }
    public Map<String, Port> outputs() { return outputs; }
    /** The generated class file. */
    public byte[] classBytes() { return bytes.clone(); }
    /** The generated class in ASM's textual form. */
    public String bytecodeText() { return ClassDefiner.text(bytes); }

    public void feed(float[] arena, String name, float[] data) {
        Port p = feeds.get(name);
        if (p == null) return; // a leaf this graph does not read
        if (data.length != p.size)
            throw new DlmException(graph.name() + ": '" + name + "' needs " + p.size + " values " + Arrays.toString(p.shape) + " at batch " + batch + ", got " + data.length);
        System.arraycopy(data, 0, arena, p.offset, p.size);
    }

    public void run(float[] arena, RunContext ctx) { step.run(arena, ctx); }

    public void read(float[] arena, String output, float[] dst) {
        Port p = outputs.get(output);
        System.arraycopy(arena, p.offset, dst, 0, p.size);
    }

    public void commit(float[] arena) { step.commit(arena); }

    /**
     * Runs once like the interpreter's {@code run}: feeds by name, state by name (read, and
     * overwritten by every update), outputs returned by name. Allocates; for tests and tools.
     */
    public Map<String, float[]> run(Map<String, float[]> feedValues, Map<String, float[]> stateValues, RunContext ctx) {
        float[] arena = new float[arenaSize];
        state.slots().forEach((name, s) -> {
            float[] v = stateValues.get(name);
            if (v != null) System.arraycopy(v, 0, arena, s.offset(), s.size());
        });
        for (String name : feeds.keySet()) {
            float[] v = feedValues.get(name);
            if (v == null) throw new DlmException(graph.name() + ": no value for '" + name + "' " + Arrays.toString(feeds.get(name).shape));
            feed(arena, name, v);
        }
        run(arena, ctx);
        Map<String, float[]> out = new LinkedHashMap<>();
        outputs.forEach((name, p) -> out.put(name, Arrays.copyOfRange(arena, p.offset, p.offset + p.size)));
        commit(arena);
        for (String name : graph.updates().keySet()) {
            StateLayout.Slot s = state.slot(name);
            stateValues.put(name, Arrays.copyOfRange(arena, s.offset(), s.offset() + s.size()));
        }
        return out;
    }
}
