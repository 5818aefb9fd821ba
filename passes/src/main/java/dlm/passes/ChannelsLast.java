package dlm.passes;

import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The layout pass: runs convolutions and pooling in NHWC (channels last) inside the compiled
 * code, when {@link LayoutRule} says it pays for the network. Model inputs, outputs and saved
 * weights keep the PyTorch layout (NCHW activations, OIHW weights): transposes are inserted
 * only where an NCHW value meets an NHWC op, and the layout-agnostic ops between two NHWC ops
 * (elementwise ops, their broadcast operands such as a bias [C, 1, 1], which becomes [C],
 * sum_to of a bias gradient, reductions, concat and slice along channels) are rewritten to
 * work on the NHWC values directly, so no transpose pair is ever emitted between them.
 *
 * <p>Weights are not transposed in the IR: the NHWC ops read OIHW weights and write OIHW
 * weight gradients, so the optimizer and the checkpoint see the usual layout and the backend
 * reorders the (small) weight inside the kernel.
 *
 * <p>How: every value keeps its NCHW form (so any op can be copied unchanged) and may gain an
 * NHWC twin. An NHWC op's result gets an NCHW form through a transpose that dead-code
 * elimination removes when nothing reads it; an NHWC op's input reuses the twin when there is
 * one and transposes otherwise (once per value). Grouped convolutions stay NCHW (the NHWC
 * kernels do groups = 1).
 */
public final class ChannelsLast implements Pass {
    /** Whether the pass rewrites: by the measured rule, always (tests, measurements) or never. */
    public enum Mode {
        AUTO, ON, OFF;

        /** From -Ddlm.channelsLast=auto|on|off (default auto). */
        public static Mode fromSystemProperty() {
            String v = System.getProperty("dlm.channelsLast", "auto");
            try {
                return valueOf(v.trim().toUpperCase());
            } catch (IllegalArgumentException e) {
                throw new PassOptionException("-Ddlm.channelsLast must be auto, on or off, got '" + v + "'");
            }
        }
    }

    /** NCHW axis a sits at NHWC position NHWC_POS[a]. */
    private static final int[] NHWC_POS = {0, 3, 1, 2};

    private final Mode mode;

    public ChannelsLast(Mode mode) { this.mode = mode; }

    /** The mode of -Ddlm.channelsLast. */
    public ChannelsLast() { this(Mode.fromSystemProperty()); }

    @Override public String name() { return "channels-last"; }

    /** What the pass does to this graph, and why. */
    public LayoutRule.Decision decide(Graph g) {
        return switch (mode) {
            case ON -> new LayoutRule.Decision(true, "NHWC: forced by -Ddlm.channelsLast=on");
            case OFF -> new LayoutRule.Decision(false, "NCHW: forced by -Ddlm.channelsLast=off");
            case AUTO -> LayoutRule.decide(g);
        };
    }

    @Override public Graph run(Graph g) {
        if (!decide(g).nhwc()) return g;
        return new Rewrite(g).run();
    }

    /** One run of the rewrite over one graph. */
    private static final class Rewrite {
        private final GraphRewriter rw;
        private final Emit e;
        /** NCHW value of the target graph to its NHWC twin. */
        private final Map<Value, Value> twin = new HashMap<>();

        Rewrite(Graph g) {
            rw = new GraphRewriter(g);
            e = rw.emit();
        }

        Graph run() {
            for (Node n : rw.source().nodes()) if (!rewrite(n)) rw.copy(n);
            return rw.finish();
        }

        private boolean rewrite(Node n) {
            return switch (n.op()) {
                case Op.Conv2d c when c.groups() == 1 -> layoutOp(n, new Op.Conv2dNhwc(c.stride(), c.dilation(), c.groups(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight()));
                case Op.Conv2dGradInput c when c.groups() == 1 -> layoutOp(n, new Op.Conv2dNhwcGradInput(c.stride(), c.dilation(), c.groups(),
                        c.padTop(), c.padLeft(), c.padBottom(), c.padRight(), c.inH(), c.inW()));
                case Op.Conv2dGradWeight c when c.groups() == 1 -> layoutOp(n, new Op.Conv2dNhwcGradWeight(c.stride(), c.dilation(), c.groups(),
                        c.padTop(), c.padLeft(), c.padBottom(), c.padRight(), c.kh(), c.kw()));
                case Op.MaxPool2d p -> layoutOp(n, new Op.MaxPool2dNhwc(p.kernel(), p.stride(), p.padTop(), p.padLeft(), p.padBottom(), p.padRight()));
                case Op.MaxPool2dGrad p -> layoutOp(n, new Op.MaxPool2dNhwcGrad(p.kernel(), p.stride(), p.padTop(), p.padLeft(), p.padBottom(), p.padRight()));
                case Op.AvgPool2d p -> layoutOp(n, new Op.AvgPool2dNhwc(p.kernel(), p.stride(), p.padTop(), p.padLeft(), p.padBottom(), p.padRight(), p.countIncludePad()));
                case Op.AvgPool2dGrad p -> layoutOp(n, new Op.AvgPool2dNhwcGrad(p.kernel(), p.stride(), p.padTop(), p.padLeft(), p.padBottom(),
                        p.padRight(), p.countIncludePad(), p.inH(), p.inW()));
                case Op.Unary _, Op.UnaryGrad _, Op.Binary _, Op.BinaryCrossEntropy _, Op.BinaryCrossEntropyGrad _ -> elementwise(n);
                case Op.SumTo s -> sumTo(n, s);
                case Op.Reduce r -> reduce(n, r);
                case Op.ReduceGrad r -> reduceGrad(n, r);
                case Op.Concat c -> concat(n, c);
                case Op.Slice s -> alongAxis(n, s.axis(), a -> new Op.Slice(a, s.start(), s.end()));
                case Op.SliceGrad s -> alongAxis(n, s.axis(), a -> new Op.SliceGrad(a, s.start(), s.size()));
                default -> false;
            };
        }

        // ------------------------------------------------------------ the two layouts of a value

        private boolean hasTwin(Value newValue) { return twin.containsKey(newValue); }

        /** The NHWC form of a rank-4 target value: its twin, or a transpose made once. */
        private Value nhwc(Value v) {
            return twin.computeIfAbsent(v, x -> e.op(new Op.Transpose(Op.ChannelsLast.TO_NHWC), x));
        }

        /** Maps the old output to the NCHW form of an NHWC result (a transpose DCE drops if unread). */
        private void putNhwc(Node n, Value result) {
            Value nchw = e.op(new Op.Transpose(Op.ChannelsLast.TO_NCHW), result);
            twin.put(nchw, result);
            rw.put(n.out(), nchw);
        }

        private boolean layoutOp(Node n, Op.ChannelsLast op) {
            List<Value> in = new ArrayList<>();
            for (int i = 0; i < n.inputs().size(); i++) in.add(op.activationInput(i) ? nhwc(rw.in(n, i)) : rw.in(n, i));
            Value y = e.graph().add(op, in);
            if (op.activationOutput()) putNhwc(n, y);
            else rw.put(n.out(), y);
            return true;
        }

        // ------------------------------------------------------------ layout-agnostic ops

        /**
         * An elementwise op with a rank-4 result and at least one operand already NHWC runs in
         * NHWC. Its other operands follow: rank-4 ones by their twin or a transpose, lower-rank
         * broadcast operands (aligned from the right against [N, C, H, W]) permuted the same way.
         */
        private boolean elementwise(Node n) {
            if (n.out().shape().rank() != 4) return false;
            List<Value> in = rw.inputs(n);
            if (in.stream().noneMatch(this::hasTwin)) return false;
            List<Value> converted = new ArrayList<>();
            for (Value v : in) {
                Value c = operand(v);
                if (c == null) return false;
                converted.add(c);
            }
            putNhwc(n, e.graph().add(n.op(), converted));
            return true;
        }

        /** An operand of an NHWC elementwise op, or null when it cannot follow (a batched value of rank below 4). */
        private Value operand(Value v) {
            Shape s = v.shape();
            if (hasTwin(v) || s.rank() == 4) return nhwc(v);
            if (s.rank() == 0) return v;
            if (s.hasBatch() || s.rank() > 4) return null;
            int[] d = padTo4(s.dims());
            if (movesOnlyOnes(d)) return e.reshape(v, stripLeadingOnes(permuted(d)));
            return e.op(new Op.Transpose(Op.ChannelsLast.TO_NHWC), e.reshape(v, List.of(d[0], d[1], d[2], d[3])));
        }

        /** sum_to of an NHWC value (a bias gradient): sums in NHWC, then gives back the asked shape. */
        private boolean sumTo(Node n, Op.SumTo s) {
            Value x = rw.in(n, 0);
            if (!hasTwin(x) || s.dims().size() > 4 || (!s.dims().isEmpty() && s.dims().get(0) == Shape.BATCH)) return false;
            int[] d = padTo4(s.dims());
            if (!movesOnlyOnes(d)) return false;
            Value sum = e.op(new Op.SumTo(stripLeadingOnes(permuted(d))), twin.get(x));
            rw.put(n.out(), e.reshape(sum, s.dims()));
            return true;
        }

        /** A reduction of an NHWC value, when the axes it keeps come out in the same order. */
        private boolean reduce(Node n, Op.Reduce r) {
            Value x = rw.in(n, 0);
            if (!hasTwin(x)) return false;
            List<Integer> axes = nhwcAxes(x.shape(), r.axes(), r.keepDims());
            if (axes == null) return false;
            Value y = e.op(new Op.Reduce(r.fn(), axes, r.keepDims()), twin.get(x));
            if (r.keepDims()) putNhwc(n, y);
            else rw.put(n.out(), y);
            return true;
        }

        /** The gradient of such a reduction (dy and y are the same in both layouts when dims are not kept). */
        private boolean reduceGrad(Node n, Op.ReduceGrad r) {
            Value x = rw.in(n, 1);
            if (!hasTwin(x) || r.keepDims()) return false;
            List<Integer> axes = nhwcAxes(x.shape(), r.axes(), false);
            if (axes == null) return false;
            putNhwc(n, e.op(new Op.ReduceGrad(r.fn(), axes, false), rw.in(n, 0), twin.get(x), rw.in(n, 2)));
            return true;
        }

        private boolean concat(Node n, Op.Concat c) {
            List<Value> in = rw.inputs(n);
            if (n.out().shape().rank() != 4 || in.stream().noneMatch(this::hasTwin)) return false;
            putNhwc(n, e.graph().add(new Op.Concat(NHWC_POS[n.out().shape().axis(c.axis())]), in.stream().map(this::nhwc).toList()));
            return true;
        }

        private boolean alongAxis(Node n, int axis, java.util.function.IntFunction<Op> op) {
            Value x = rw.in(n, 0);
            if (!hasTwin(x)) return false;
            putNhwc(n, e.op(op.apply(NHWC_POS[x.shape().axis(axis)]), twin.get(x)));
            return true;
        }

        /** The reduced axes in NHWC, or null when dropping them would leave the kept axes in another order. */
        private static List<Integer> nhwcAxes(Shape x, List<Integer> axes, boolean keepDims) {
            List<Integer> norm = axes.stream().map(x::axis).toList();
            List<Integer> mapped = norm.stream().map(a -> NHWC_POS[a]).sorted().toList();
            if (keepDims) return mapped;
            int last = -1;
            for (int a = 0; a < 4; a++) {
                if (norm.contains(a)) continue;
                if (NHWC_POS[a] < last) return null;
                last = NHWC_POS[a];
            }
            return mapped;
        }

        // ------------------------------------------------------------ broadcast shapes

        /** A shape of rank up to 4, padded with leading ones as broadcasting against [N, C, H, W] aligns it. */
        private static int[] padTo4(List<Integer> dims) {
            int[] d = {1, 1, 1, 1};
            for (int i = 0; i < dims.size(); i++) d[4 - dims.size() + i] = dims.get(i);
            return d;
        }

        private static List<Integer> permuted(int[] d) { return List.of(d[0], d[2], d[3], d[1]); }

        /** Whether NCHW to NHWC moves only dimensions of size 1, so that it is a reshape. */
        private static boolean movesOnlyOnes(int[] d) { return d[1] == 1 || (d[2] == 1 && d[3] == 1); }

        private static List<Integer> stripLeadingOnes(List<Integer> d) {
            int i = 0;
            while (i < d.size() - 1 && d.get(i) == 1) i++;
            return d.subList(i, d.size());
        }
    }
}
