package dlm.codegen.jvm;

import dlm.codegen.jvm.rt.EpilogueOps;
import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes a layer's bias, activation and residual add the epilogue of its matrix product or
 * convolution: the kernel library applies them to each block of the product while the block is
 * in cache, instead of a fused loop re-reading the whole product afterwards.
 *
 * <p>Runs on the kernels {@link Fusion#plan} made: a MatMul or Conv2d kernel followed (past
 * kernels that run no code) by an elementwise loop whose first op reads the product. The
 * product must have no other reader. Its chain is taken in this order, each step optional:
 * add a bias (a parameter broadcast along the columns of a product, the channels of a
 * convolution), add a residual of the product's shape, apply relu, leaky relu, sigmoid, tanh
 * or gelu, add a residual (one residual at most). A value of the chain that something else
 * reads ends the chain there, except the activation's input, which the epilogue also stores
 * (training: the activation's gradient reads it). What the chain does not take stays a loop.
 * <p>Off by default, on with {@code -Ddlm.epilogue=true}: on a loaded machine it measured
 * 5-8% faster for keras_mlp and lenet5 batched prediction and keras_mlp training but 7%
 * slower for lenet5 training, within the noise either way (bench/RESULTS.md).
 */
final class Epilogues {
    private Epilogues() {}

    static boolean enabled() { return "true".equalsIgnoreCase(System.getProperty("dlm.epilogue", "false")); }

    static boolean isProduct(Op op) { return op instanceof Op.MatMul || op instanceof Op.Conv2d; }

    /** Whether a kernel is a product with its epilogue. */
    static boolean isEpilogue(Fusion.Kernel k) { return k.nodes().size() > 1 && isProduct(k.nodes().getFirst().op()); }

    /**
     * An epilogue as the kernel call takes it: values are null when the step is absent.
     *
     * @param pre the activation's input, when it is stored besides the output
     * @param out the last value of the chain, always stored
     */
    record Chain(Node product, Value bias, Value residual, boolean residualAfter, Op.UnaryFn act, double alpha,
                 Value pre, Value out) {
        /** {@link EpilogueOps}' code of the activation. */
        int actCode() {
            if (act == null) return EpilogueOps.NONE;
            return switch (act) {
                case RELU -> EpilogueOps.RELU;
                case LEAKY_RELU -> EpilogueOps.LEAKY_RELU;
                case SIGMOID -> EpilogueOps.SIGMOID;
                case TANH -> EpilogueOps.TANH;
                case GELU -> EpilogueOps.GELU;
                default -> throw new IllegalStateException("not an epilogue activation: " + act);
            };
        }
    }

    private enum Step { BIAS, RESIDUAL, ACT }

    private static boolean activation(Op.UnaryFn fn) {
        return switch (fn) {
            case RELU, LEAKY_RELU, SIGMOID, TANH, GELU -> true;
            default -> false;
        };
    }

    /** A bias of a product of this shape: one value per column (MatMul) or per channel of NCHW (Conv2d). */
    private static boolean biasShaped(Op product, int[] x, int[] out) {
        if (x.length > out.length) return false;
        int axis = product instanceof Op.Conv2d ? 1 : out.length - 1, shift = out.length - x.length;
        for (int i = 0; i < x.length; i++) {
            int along = i + shift;
            if (x[i] != (along == axis ? out[axis] : 1)) return false;
        }
        return x.length > out.length - 1 - axis; // the bias reaches the product's axis
    }

    /** The step node n makes on the chain's current value, or null with the reason in why[0]. */
    private static Step classify(Node n, Value cur, Chain sofar, Set<Value> chain, EmitContext cx, String[] why) {
        int[] out = cx.shape(sofar.product().out());
        if (!Arrays.equals(cx.shape(n.out()), out)) { why[0] = n.out() + " has another shape"; return null; }
        switch (n.op()) {
            case Op.Binary b when b.fn() == Op.BinaryFn.ADD -> {
                Value x = n.input(0).equals(cur) ? n.input(1) : n.input(0);
                if (chain.contains(x)) { why[0] = n.out() + " reads the chain twice"; return null; }
                if (cx.constant(x) != null) { why[0] = n.out() + " adds a constant"; return null; }
                int[] xs = cx.shape(x);
                if (sofar.bias() == null && sofar.residual() == null && sofar.act() == null && biasShaped(sofar.product().op(), xs, out))
                    return Step.BIAS;
                if (sofar.residual() == null && Arrays.equals(xs, out)) return Step.RESIDUAL;
                why[0] = n.out() + " is not a bias or the first residual";
                return null;
            }
            case Op.Unary u when activation(u.fn()) && sofar.act() == null -> { return Step.ACT; }
            default -> {
                why[0] = n.out() + " = " + n.op().opName() + " is not an epilogue step";
                return null;
            }
        }
    }

    private static Chain apply(Chain c, Step s, Node n, Value cur, boolean keepPre) {
        Value x = n.inputs().size() < 2 ? null : n.input(0).equals(cur) ? n.input(1) : n.input(0);
        return switch (s) {
            case BIAS -> new Chain(c.product(), x, null, false, null, 0, null, n.out());
            case RESIDUAL -> new Chain(c.product(), c.bias(), x, c.act() != null, c.act(), c.alpha(), c.pre(), n.out());
            case ACT -> {
                Op.Unary u = (Op.Unary) n.op();
                yield new Chain(c.product(), c.bias(), c.residual(), false, u.fn(), u.alpha(), keepPre ? cur : null, n.out());
            }
        };
    }

    private static String stepName(Op op) {
        return switch (op) {
            case Op.Binary b -> b.fn().name().toLowerCase(java.util.Locale.ROOT);
            case Op.Unary u -> u.fn().name().toLowerCase(java.util.Locale.ROOT);
            default -> op.opName();
        };
    }

    /** The chain of an epilogue kernel, for the code generator. */
    static Chain chain(Fusion.Kernel k, EmitContext cx) {
        Node product = k.nodes().getFirst();
        Chain c = new Chain(product, null, null, false, null, 0, null, product.out());
        Set<Value> seen = new HashSet<>(Set.of(product.out()));
        String[] why = new String[1];
        for (Node n : k.nodes().subList(1, k.nodes().size())) {
            Value cur = c.out();
            Step s = classify(n, cur, c, seen, cx, why);
            if (s == null) throw new IllegalStateException("epilogue kernel: " + why[0]);
            c = apply(c, s, n, cur, !cur.equals(product.out()) && !k.internal().contains(cur));
            seen.add(n.out());
        }
        return c;
    }

    /**
     * Replaces each product kernel and the loop reading it by one epilogue kernel (and what is
     * left of the loop); when a candidate is refused, the product kernel's boundary says why.
     */
    static List<Fusion.Kernel> attach(Graph g, Map<String, Value> outputs, List<Node> schedule, int batch, List<Fusion.Kernel> kernels) {
        if (!enabled()) return kernels;
        Map<Value, List<Node>> consumers = new HashMap<>();
        for (Node n : schedule) for (Value in : n.inputs()) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        Set<Value> kept = new HashSet<>(outputs.values());
        kept.addAll(g.updates().values());
        Map<Value, Node> producers = new HashMap<>();
        for (Node n : g.nodes()) producers.put(n.out(), n);
        EmitContext shapes = new EmitContext(null, batch, producers);

        List<Fusion.Kernel> out = new ArrayList<>(kernels);
        for (int i = 0; i < out.size(); i++) {
            Fusion.Kernel pk = out.get(i);
            if (pk.nodes().size() != 1 || !isProduct(pk.nodes().getFirst().op())) continue;
            Node product = pk.nodes().getFirst();
            int j = i + 1;
            while (j < out.size() && !out.get(j).code()) j++;
            if (j == out.size()) continue;
            Fusion.Kernel loop = out.get(j);
            if (!Fusion.elementwise(loop.nodes().getFirst().op()) || !loop.nodes().getFirst().inputs().contains(product.out())) continue;

            Value p = product.out();
            String refused = null;
            if (kept.contains(p)) refused = "product " + p + " is an output";
            else if (consumers.getOrDefault(p, List.of()).size() != 1) refused = "product " + p + " has " + consumers.get(p).size() + " readers";
            Chain c = new Chain(product, null, null, false, null, 0, null, p);
            List<Node> taken = new ArrayList<>();
            Set<Value> chainValues = new HashSet<>(Set.of(p));
            String stop = null;
            String[] why = new String[1];
            for (Node n : refused == null ? loop.nodes() : List.<Node>of()) {
                Value cur = c.out();
                if (!n.inputs().contains(cur)) { stop = n.out() + " does not read " + cur; break; }
                Step s = classify(n, cur, c, chainValues, shapes, why);
                if (s == null) { stop = why[0]; break; }
                boolean stored = !cur.equals(p) && (kept.contains(cur) || !consumers.getOrDefault(cur, List.of()).equals(List.of(n)));
                if (stored && s != Step.ACT) { stop = cur + " is read after the epilogue"; break; }
                c = apply(c, s, n, cur, stored);
                taken.add(n);
                chainValues.add(n.out());
            }
            if (refused == null && taken.isEmpty()) refused = stop;
            if (refused != null) {
                out.set(i, new Fusion.Kernel(pk.nodes(), pk.internal(), pk.code(), pk.boundary() + "; no epilogue: " + refused));
                continue;
            }
            List<Node> nodes = new ArrayList<>(List.of(product));
            nodes.addAll(taken);
            Set<Value> internal = new LinkedHashSet<>(chainValues);
            internal.remove(c.out());
            if (c.pre() != null) internal.remove(c.pre());
            List<Node> rest = loop.nodes().subList(taken.size(), loop.nodes().size());
            StringBuilder steps = new StringBuilder();
            for (Node n : taken) steps.append(steps.isEmpty() ? "" : ", ").append(stepName(n.op()));
            String boundary = Fusion.alone(product.op()) + ", with " + steps + " as its epilogue; "
                    + (rest.isEmpty() ? loop.boundary() : "epilogue ends: " + stop);
            out.set(j, new Fusion.Kernel(List.copyOf(nodes), internal, true, boundary));
            out.remove(i);
            j--;
            if (!rest.isEmpty()) {
                Set<Value> restInternal = new LinkedHashSet<>();
                if (rest.size() > 1) for (Node n : rest) if (loop.internal().contains(n.out())) restInternal.add(n.out());
                out.add(j + 1, new Fusion.Kernel(List.copyOf(rest), restInternal, true, loop.boundary()));
            }
            i--; // the kernel now at i is the next one to look at
        }
        return out;
    }
}
