package dlm.codegen.jvm;

import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Value;
import dlm.runtime.DlmException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The JVM backend's compiler: a graph of primitive ops, specialized to one batch size, to a
 * hidden class whose methods run it on one float arena. Steps: schedule (live nodes in graph
 * order), plan the arena, generate bytecode (loops inlined for elementwise and reduction ops,
 * calls with constant arguments to kernels for the rest), define the class.
 */
public final class JvmCompiler {
    private JvmCompiler() {}

    private static final AtomicLong CLASSES = new AtomicLong();

    /** Compiles with a state layout of the graph's own params. */
    public static CompiledGraph compile(Graph g, int batch) { return compile(g, batch, StateLayout.of(g)); }

    /** Compiles against a model's state layout (shared by all of the model's graphs). */
    public static CompiledGraph compile(Graph g, int batch, StateLayout state) { return compile(g, batch, state, name -> true); }

    /**
     * Compiles only the outputs whose names pass the filter (and everything the updates need):
     * a prediction leaves out the loss, which would need targets.
     */
    public static CompiledGraph compile(Graph g, int batch, StateLayout state, Predicate<String> wanted) {
        return compile(g, batch, state, wanted, null, Fusion.enabledByDefault(), false);
    }

    /**
     * Ahead of time: generates the class under the given internal name (e.g.
     * {@code dlm/aot/lenet5/Infer_b1}) without defining it. The result's {@link CompiledGraph#classBytes}
     * and ports are what a jar needs; its {@code run} and {@code commit} must not be called.
     */
    public static CompiledGraph compileNamed(Graph g, int batch, StateLayout state, Predicate<String> wanted, String className,
                                             boolean updatesInPlace) {
        return compile(g, batch, state, wanted, java.util.Objects.requireNonNull(className), Fusion.enabledByDefault(), updatesInPlace);
    }

    /** Compiles with elementwise fusion on or off (whatever {@code -Ddlm.fuse} says). */
    public static CompiledGraph compile(Graph g, int batch, StateLayout state, Predicate<String> wanted, boolean fuse) {
        return compile(g, batch, state, wanted, null, fuse, false);
    }

    /**
     * Compiles for a caller that commits every run: with {@code updatesInPlace}, a run may write
     * new values of the state over the old ones as it goes (see {@link CompiledGraph}), so a run
     * not followed by {@link CompiledGraph#commit} would leave the state partly updated.
     */
    public static CompiledGraph compile(Graph g, int batch, StateLayout state, Predicate<String> wanted, boolean fuse,
                                        boolean updatesInPlace) {
        return compile(g, batch, state, wanted, null, fuse, updatesInPlace);
    }

    private static CompiledGraph compile(Graph g, int batch, StateLayout state, Predicate<String> wanted, String aotName, boolean fuse,
                                         boolean updatesInPlace) {
        if (batch <= 0) throw new DlmException("batch size must be positive, got " + batch);
        Map<String, Value> outs = new LinkedHashMap<>();
        g.outputs().forEach((name, v) -> { if (wanted.test(name)) outs.put(name, v); });
        List<Node> schedule = Schedule.of(g, outs);
        List<Fusion.Kernel> kernels = Fusion.plan(g, outs, schedule, batch, fuse);
        ArenaPlan plan = ArenaPlanner.planKernels(g, outs, kernels, batch, state, updatesInPlace);
        Map<Value, Node> producers = new HashMap<>();
        for (Node n : g.nodes()) producers.put(n.out(), n);
        EmitContext cx = new EmitContext(plan, batch, producers);
        String className = aotName != null ? aotName : JvmCompiler.class.getPackageName().replace('.', '/') + "/Step_" + identifier(g.name())
                + "_b" + batch + "_" + CLASSES.incrementAndGet();
        byte[] bytes = CodeGenerator.generate(className, g, kernels, cx, state);
        GeneratedStep step = aotName != null ? null : ClassDefiner.define(bytes);

        Map<String, CompiledGraph.Port> feeds = new LinkedHashMap<>();
        for (Node n : schedule) {
            String name = switch (n.op()) {
                case Op.Input i -> i.name();
                case Op.Target t -> t.name();
                default -> null;
            };
            if (name != null) feeds.put(name, port(cx, n.out()));
        }
        Map<String, CompiledGraph.Port> outputs = new LinkedHashMap<>();
        outs.forEach((name, v) -> outputs.put(name, port(cx, v)));
        return new CompiledGraph(g, batch, state, plan.arenaSize(), feeds, outputs, step, bytes);
    }

    /** What {@link #compile} would generate for this graph at this batch size, with fusion as {@code -Ddlm.fuse} says. */
    public static Explanation explain(Graph g, int batch) { return explain(g, batch, name -> true, Fusion.enabledByDefault()); }

    /** What {@link #compile} would generate for these outputs of the graph, fusion on or off; compiles nothing. */
    public static Explanation explain(Graph g, int batch, Predicate<String> wanted, boolean fuse) {
        return explain(g, batch, wanted, fuse, false);
    }

    /** The same, for a graph compiled with updates in place (as models compile predictions and training steps). */
    public static Explanation explain(Graph g, int batch, Predicate<String> wanted, boolean fuse, boolean updatesInPlace) {
        if (batch <= 0) throw new DlmException("batch size must be positive, got " + batch);
        StateLayout state = StateLayout.of(g);
        Map<String, Value> outs = new LinkedHashMap<>();
        g.outputs().forEach((name, v) -> { if (wanted.test(name)) outs.put(name, v); });
        List<Node> schedule = Schedule.of(g, outs);
        List<Fusion.Kernel> kernels = Fusion.plan(g, outs, schedule, batch, fuse);
        ArenaPlan plan = ArenaPlanner.planKernels(g, outs, kernels, batch, state, updatesInPlace);
        Map<Value, Node> producers = new HashMap<>();
        for (Node n : g.nodes()) producers.put(n.out(), n);
        EmitContext cx = new EmitContext(plan, batch, producers);
        List<Explanation.Kernel> out = new java.util.ArrayList<>();
        for (Fusion.Kernel k : kernels) {
            if (!k.code()) continue;
            List<String> ops = new java.util.ArrayList<>();
            List<String> stores = new java.util.ArrayList<>();
            for (Node n : k.nodes()) {
                ops.add(n.out() + " = " + label(n.op()) + n.inputs().toString().replace('[', '(').replace(']', ')') + " " + n.out().type());
                if (k.fused() && !k.internal().contains(n.out())) stores.add(n.out() + ": " + Fusion.storedBecause(g, k, n.out(), outs, schedule));
            }
            out.add(new Explanation.Kernel(List.copyOf(ops), List.copyOf(stores), k.boundary(), LoopSplit.of(cx, k) != null));
        }
        return new Explanation(g.name(), batch, fuse, List.copyOf(out), 4L * plan.arenaSize(), 4L * StateLayout.align(state.size()));
    }

    private static String label(Op op) {
        return switch (op) {
            case Op.Binary b -> b.fn().name().toLowerCase(java.util.Locale.ROOT);
            case Op.Unary u -> u.fn().name().toLowerCase(java.util.Locale.ROOT);
            case Op.UnaryGrad u -> u.fn().name().toLowerCase(java.util.Locale.ROOT) + "_grad";
            case Op.Fill f -> "fill " + f.value();
            case Op.Param p -> "param " + p.name();
            default -> op.opName();
        };
    }

    private static CompiledGraph.Port port(EmitContext cx, Value v) {
        return new CompiledGraph.Port(cx.off(v), cx.numel(v), cx.shape(v));
    }

    private static String identifier(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) b.append(Character.isJavaIdentifierPart(c) ? c : '_');
        return b.toString();
    }
}
