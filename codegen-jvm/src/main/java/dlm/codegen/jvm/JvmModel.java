package dlm.codegen.jvm;

import dlm.codegen.jvm.rt.RunContext;
import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.interp.Interpreter;
import dlm.runtime.CompiledModel;
import dlm.runtime.DlmException;
import dlm.runtime.LoadReport;
import dlm.runtime.ModelSignature;
import dlm.runtime.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A model run by generated JVM code. The inference, training and gradient graphs are compiled
 * lazily, once per batch size, against one state layout; all of them run on one arena whose
 * first region holds the state (weights, buffers, optimizer state), so a training step's
 * updates are in place for the next call without copies.
 *
 * <p>Semantics and errors mirror the interpreter-backed model: state initialized by
 * {@link Interpreter#initParams}, dropout masks drawn from {@code SplittableRandom(seed++)} per
 * training step (the same masks as the interpreter), gradients that leave the state alone.
 * In steady state, predict and trainStep allocate only the returned map: output tensors are
 * reused by the next call with the same batch size.
 */
public final class JvmModel implements CompiledModel {
    /** The graphs of one model by mode; derived lazily by the caller (api's ModeGraphs). */
    public interface Graphs {
        Graph inference();
        Graph training();
        Graph gradients();
        /** The graph declaring every piece of state (training's when the model can train). */
        Graph stateOwner();
    }

    private enum Mode { INFER, TRAIN, GRADIENTS }

    /** One compiled graph with its reusable output tensors. */
    private static final class Entry {
        final CompiledGraph graph;
        final String[] names;      // outputs returned, under their returned names
        final String[] sources;    // the graph outputs they come from
        final Tensor[] tensors;
        final String[] feedNames;  // inputs and targets in the graph's feed order
        final boolean[] feedIsTarget;

        Entry(CompiledGraph graph, Mode mode) {
            this.graph = graph;
            List<String> names = new java.util.ArrayList<>(), sources = new java.util.ArrayList<>();
            if (mode == Mode.GRADIENTS) {
                names.add(Graph.LOSS);
                sources.add(Graph.LOSS);
                graph.outputs().keySet().stream().filter(k -> k.startsWith("grad:")).forEach(k -> { names.add(k.substring(5)); sources.add(k); });
            } else {
                graph.outputs().keySet().stream().filter(k -> !k.startsWith("grad:")).forEach(k -> { names.add(k); sources.add(k); });
            }
            this.names = names.toArray(String[]::new);
            this.sources = sources.toArray(String[]::new);
            this.tensors = new Tensor[this.names.length];
            for (int i = 0; i < tensors.length; i++) {
                CompiledGraph.Port p = graph.outputs().get(this.sources[i]);
                if (p == null) throw new DlmException(graph.graph().name() + ": the " + mode.name().toLowerCase() + " graph has no output '" + this.sources[i] + "'");
                tensors[i] = Tensor.of(new float[p.size()], p.shape());
            }
            this.feedNames = graph.feeds().keySet().toArray(String[]::new);
            this.feedIsTarget = new boolean[feedNames.length];
            for (int i = 0; i < feedNames.length; i++) {
                String n = feedNames[i];
                feedIsTarget[i] = graph.graph().targets().stream().anyMatch(t -> ((Op.Target) t.op()).name().equals(n));
            }
        }
    }

    private final ModelSignature signature;
    private final Graphs graphs;
    private final StateLayout layout;
    private final Map<String, int[]> stateShapes = new LinkedHashMap<>();
    private final RunContext ctx;
    @SuppressWarnings("unchecked")
    private final Map<Integer, Entry>[] cache = new Map[]{new HashMap<>(), new HashMap<>(), new HashMap<>()};
    private final Entry[] last = new Entry[3];
    private float[] arena;
    private long seed;
    private boolean closed;

    public JvmModel(ModelSignature signature, Graphs graphs, long seed) {
        this.signature = signature;
        this.graphs = graphs;
        Graph owner = graphs.stateOwner();
        this.layout = StateLayout.of(owner);
        this.arena = new float[layout.size()];
        Interpreter.initParams(owner, seed).forEach((name, v) -> {
            int at = layout.slot(name).offset();
            for (int i = 0; i < v.length; i++) arena[at + i] = (float) v[i];
        });
        for (Node n : owner.params()) {
            Op.Param p = (Op.Param) n.op();
            if (p.kind() != Op.ParamKind.STATE) stateShapes.put(p.name(), n.out().shape().toArray());
        }
        this.ctx = new RunContext(Math.max(1, Integer.getInteger("dlm.threads", Runtime.getRuntime().availableProcessors())));
        this.seed = seed;
    }

    @Override public ModelSignature signature() { return signature; }

    /** The compiled graph of a mode for a batch size, compiling it on first use. */
    private Entry entry(Mode mode, int batch) {
        if (closed) throw new DlmException(signature.name() + ": the model is closed");
        Entry e = last[mode.ordinal()];
        if (e != null && e.graph.batch() == batch) return e;
        e = cache[mode.ordinal()].get(batch);
        if (e == null) {
            Graph g = switch (mode) {
                case INFER -> graphs.inference();
                case TRAIN -> graphs.training();
                case GRADIENTS -> graphs.gradients();
            };
            // a prediction has no targets, so it leaves out the loss (and never computes gradients);
            // predictions and training steps are always committed, so their updates may be written
            // in place, but a gradient run is not, and must leave the state as it found it
            Predicate<String> wanted = mode == Mode.INFER
                    ? name -> !name.equals(Graph.LOSS) && !name.startsWith("grad:") : name -> true;
            e = new Entry(JvmCompiler.compile(g, batch, layout, wanted, Fusion.enabledByDefault(),
                    mode != Mode.GRADIENTS), mode);
            cache[mode.ordinal()].put(batch, e);
            if (e.graph.arenaSize() > arena.length) arena = Arrays.copyOf(arena, e.graph.arenaSize());
        }
        last[mode.ordinal()] = e;
        return e;
    }

    private Map<String, Tensor> run(Entry e, Map<String, Tensor> inputs, Map<String, Tensor> targets, boolean commit) {
        ctx.startRun();
        for (int i = 0; i < e.feedNames.length; i++) {
            Tensor t = (e.feedIsTarget[i] ? targets : inputs).get(e.feedNames[i]);
            if (t == null) throw new DlmException(signature.name() + ": missing '" + e.feedNames[i] + "'");
            e.graph.feed(arena, e.feedNames[i], t.data());
        }
        e.graph.run(arena, ctx);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < e.names.length; i++) {
            e.graph.read(arena, e.sources[i], e.tensors[i].data());
            out.put(e.names[i], e.tensors[i]);
        }
        if (commit) e.graph.commit(arena);
        return out;
    }

    @Override public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
        int batch = FeedCheck.batchSize(signature.name(), signature.inputs(), inputs, "input");
        return run(entry(Mode.INFER, batch), inputs, Map.of(), true);
    }

    @Override public Map<String, Tensor> trainStep(Map<String, Tensor> inputs, Map<String, Tensor> targets) {
        int batch = batchOf(inputs, targets);
        Entry e = entry(Mode.TRAIN, batch);
        ctx.seed(seed++);
        return run(e, inputs, targets, true);
    }

    @Override public Map<String, Tensor> gradients(Map<String, Tensor> inputs, Map<String, Tensor> targets) {
        int batch = batchOf(inputs, targets);
        Entry e = entry(Mode.GRADIENTS, batch);
        ctx.seed(seed);
        // no commit: a gradient run must not move running statistics
        return run(e, inputs, targets, false);
    }

    private int batchOf(Map<String, Tensor> inputs, Map<String, Tensor> targets) {
        if (signature.targets().isEmpty()) throw new DlmException(signature.name() + " has no train block: it cannot be trained");
        int b = FeedCheck.batchSize(signature.name(), signature.inputs(), inputs, "input");
        int bt = FeedCheck.batchSize(signature.name(), signature.targets(), targets, "target");
        if (b != bt) throw new DlmException(signature.name() + ": inputs have batch size " + b + " but targets " + bt);
        return b;
    }

    @Override public Map<String, Tensor> stateDict() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        stateShapes.forEach((name, shape) -> {
            StateLayout.Slot s = layout.slot(name);
            m.put(name, Tensor.of(Arrays.copyOfRange(arena, s.offset(), s.offset() + s.size()), shape));
        });
        return m;
    }

    @Override public LoadReport loadStateDict(Map<String, Tensor> tensors, boolean strict) {
        LoadReport r = LoadReport.compare(stateShapes, tensors).throwIfStrict(strict);
        for (String name : r.loaded()) {
            StateLayout.Slot s = layout.slot(name);
            System.arraycopy(tensors.get(name).data(), 0, arena, s.offset(), s.size());
        }
        return r;
    }

    /** Compiled graphs so far, by mode and batch size: for tools and tests. */
    public CompiledGraph compiled(String mode, int batch) {
        return entry(Mode.valueOf(mode.toUpperCase()), batch).graph;
    }

    @Override public void close() {
        closed = true;
        ctx.close();
        for (Map<Integer, Entry> c : cache) c.clear();
        Arrays.fill(last, null);
        arena = new float[0];
    }
}
