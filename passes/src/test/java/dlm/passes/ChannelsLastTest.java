package dlm.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.TrainSpec;
import dlm.ir.Type;
import dlm.ir.Value;
import dlm.ir.interp.Interpreter;
import dlm.ir.text.IrPrinter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The channels-last pass, forced on: what it emits, and that outputs and gradients do not change. */
class ChannelsLastTest {
    /** x [N, 3, 9, 7] -> conv 5x3x3 pad 1 + bias -> relu -> maxpool 2 -> flatten -> dense 4 -> mse. */
    private static Graph convNet() {
        Graph g = new Graph("convnet");
        g.setTrain(new TrainSpec(new TrainSpec.Sgd(0.1, 0, 0), List.of(), List.of(), List.of(), "p", "y", TrainSpec.Prediction.VALUE));
        Emit e = new Emit(g);
        Value x = g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(List.of(3, 9, 7))));
        Value conv = e.op(new Op.Conv2d(1, 1, 1, 1, 1, 1, 1), x, weight(g, "conv.weight", 5, 3, 3, 3));
        Value h = e.unary(Op.UnaryFn.RELU, e.add(conv, e.reshape(weight(g, "conv.bias", 5), List.of(5, 1, 1))));
        Value pooled = e.op(new Op.MaxPool2d(2, 2, 0, 0, 0, 0), h);
        Value flat = e.reshape(pooled, List.of(-1, 5 * 4 * 3));
        Value p = e.op(new Op.MatMul(false, true), flat, weight(g, "fc.weight", 4, 60));
        Value y = g.addLeaf(new Op.Target("y"), Type.f32(Shape.batched(List.of(4))));
        g.output("p", p);
        g.output(Graph.LOSS, g.add(new Op.Loss(Op.LossFn.MSE), p, y));
        return g;
    }

    private static Value weight(Graph g, String name, int... dims) {
        return g.addLeaf(new Op.Param(name, Op.ParamKind.WEIGHT, Op.Init.UNIFORM_FAN_IN, 9), Type.f32(dims));
    }

    private static Graph gradientsNchw(Graph g) { return Pipelines.gradients().skip("channels-last").run(g); }

    private static Graph forced(Graph nchw) { return Pipeline.of(new ChannelsLast(ChannelsLast.Mode.ON), new DeadCodeElimination()).run(nchw); }

    private static long count(Graph g, Class<? extends Op> kind) { return g.nodes().stream().filter(n -> kind.isInstance(n.op())).count(); }

    @Test void textualIrBeforeAndAfter() {
        Graph before = gradientsNchw(convNet());
        Graph after = forced(before);
        String text = IrPrinter.print(after);
        // the NCHW ops are gone, their NHWC twins are there
        for (String op : List.of("conv2d(", "conv2d_grad_weight(", "max_pool2d(", "max_pool2d_grad("))
            assertFalse(text.contains("= " + op), op + " left in\n" + text);
        for (String op : List.of("conv2d_nhwc(", "conv2d_nhwc_grad_weight(", "max_pool2d_nhwc(", "max_pool2d_nhwc_grad("))
            assertTrue(text.contains("= " + op), op + " missing\n" + text);
        // transposes only at the boundaries: the input in, the flatten out, its gradient back in
        List<String> transposes = text.lines().filter(l -> l.contains("= transpose(")).toList();
        assertEquals(3, transposes.size(), String.join("\n", transposes) + "\n" + text);
        assertEquals(2, transposes.stream().filter(l -> l.contains("perm=[0, 2, 3, 1]")).count(), "to NHWC");
        // the bias broadcasts as [5] and its gradient sums to [5] in NHWC
        assertTrue(text.contains("reshape(%") && text.contains("dims=[5]) : f32[5]"), text);
        assertTrue(text.contains("sum_to(") && text.contains("dims=[5]) : f32[5]"), text);
        // the weight gradient is still OIHW
        Node dw = after.nodes().stream().filter(n -> n.op() instanceof Op.Conv2dNhwcGradWeight).findFirst().orElseThrow();
        assertEquals(Shape.of(5, 3, 3, 3), dw.out().shape());
        // the text parses back to the same graph
        assertEquals(text, IrPrinter.print(dlm.ir.text.IrParser.parse(text)));
    }

    @Test void outputsAndGradientsDoNotChange() {
        Graph before = gradientsNchw(convNet());
        assertClose(before, forced(before), 3);
    }

    @Test void offAndAutoWithoutConvolutionsLeaveTheGraphAlone() {
        Graph before = gradientsNchw(convNet());
        assertSame(before, new ChannelsLast(ChannelsLast.Mode.OFF).run(before));
        Graph dense = new Graph("dense");
        Value x = dense.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(List.of(4))));
        dense.output("p", dense.add(new Op.MatMul(false, true), x, weight(dense, "w", 3, 4)));
        assertSame(dense, new ChannelsLast(ChannelsLast.Mode.AUTO).run(dense));
        assertTrue(new ChannelsLast(ChannelsLast.Mode.AUTO).decide(dense).reason().contains("no ungrouped convolution"));
    }

    /** x [N, c, 8, 8] -> conv f 3x3: the rule's input. */
    private static Graph oneConv(int c, int f) {
        Graph g = new Graph("one_conv");
        Value x = g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(List.of(c, 8, 8))));
        g.output("y", g.add(new Op.Conv2d(1, 1, 1, 1, 1, 1, 1), x, weight(g, "w", f, c, 3, 3)));
        return g;
    }

    @Test void autoChoosesNhwcWhenMostConvolutionWorkHasManyChannels() {
        ChannelsLast auto = new ChannelsLast(ChannelsLast.Mode.AUTO);
        LayoutRule.Decision narrow = auto.decide(oneConv(3, 32)), wide = auto.decide(oneConv(LayoutRule.WIDE_CHANNELS, 8));
        assertFalse(narrow.nhwc(), narrow.reason());
        assertTrue(narrow.reason().startsWith("NCHW: only 0%"), narrow.reason());
        assertTrue(wide.nhwc(), wide.reason());
        assertTrue(wide.reason().startsWith("NHWC: 100%"), wide.reason());
        Graph nhwc = auto.run(oneConv(LayoutRule.WIDE_CHANNELS, 8));
        assertEquals(1, count(nhwc, Op.Conv2dNhwc.class));
        assertEquals(wide, auto.decide(nhwc), "the decision reads the same after the pass");
        Graph g = oneConv(3, 32);
        assertSame(g, auto.run(g));
    }

    @Test void autoKeepsTrainingGraphsNchw() {
        Graph wide = oneConv(LayoutRule.WIDE_CHANNELS, 8);
        Value y = wide.outputs().get("y");
        wide.output("dw", wide.add(new Op.Conv2dGradWeight(1, 1, 1, 1, 1, 1, 1, 3, 3), y, wide.inputs().get(0).out()));
        LayoutRule.Decision d = new ChannelsLast(ChannelsLast.Mode.AUTO).decide(wide);
        assertFalse(d.nhwc(), d.reason());
        assertTrue(d.reason().contains("training"), d.reason());
    }

    @Test void groupedConvolutionsStayNchw() {
        Graph g = new Graph("grouped");
        Value x = g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(List.of(4, 5, 5))));
        Value y = g.add(new Op.Conv2d(1, 1, 2, 0, 0, 0, 0), x, weight(g, "w", 6, 2, 3, 3));
        g.output("y", g.add(new Op.MaxPool2d(3, 1, 0, 0, 0, 0), y));
        Graph after = forced(g);
        assertEquals(1, count(after, Op.Conv2d.class));
        assertEquals(1, count(after, Op.MaxPool2dNhwc.class));
        assertClose(g, after, 4);
    }

    @Test void theModeComesFromTheSystemProperty() {
        String old = System.getProperty("dlm.channelsLast");
        try {
            System.setProperty("dlm.channelsLast", "on");
            assertEquals(ChannelsLast.Mode.ON, ChannelsLast.Mode.fromSystemProperty());
            System.setProperty("dlm.channelsLast", "sideways");
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, ChannelsLast.Mode::fromSystemProperty);
            assertTrue(e.getMessage().contains("auto, on or off"), e.getMessage());
        } finally {
            if (old == null) System.clearProperty("dlm.channelsLast");
            else System.setProperty("dlm.channelsLast", old);
        }
    }

    /** Same outputs and updates on random feeds and state at batch 1 and 3, to rounding (NHWC sums in another order). */
    static void assertClose(Graph before, Graph after, long seed) {
        for (int batch : new int[] {1, 3}) {
            SplittableRandom r = new SplittableRandom(seed + batch);
            Map<String, double[]> feeds = new HashMap<>(), state = new HashMap<>();
            for (Node n : before.nodes()) {
                String name = n.op() instanceof Op.Input i ? i.name() : n.op() instanceof Op.Target t ? t.name() : null;
                if (name != null) feeds.put(name, random(r, n.out().shape().numel(batch)));
                if (n.op() instanceof Op.Param p) state.put(p.name(), random(r, n.out().shape().numel(1)));
            }
            Map<String, double[]> s1 = new HashMap<>(state), s2 = new HashMap<>(state);
            Map<String, double[]> o1 = new Interpreter(before).run(batch, feeds, s1), o2 = new Interpreter(after).run(batch, feeds, s2);
            assertEquals(o1.keySet(), o2.keySet());
            o1.forEach((k, v) -> close(k + " at batch " + batch, v, o2.get(k)));
            s1.forEach((k, v) -> close("update " + k + " at batch " + batch, v, s2.get(k)));
        }
    }

    private static double[] random(SplittableRandom r, long n) {
        double[] d = new double[(int) n];
        for (int i = 0; i < d.length; i++) d[i] = r.nextDouble(-1, 1);
        return d;
    }

    private static void close(String what, double[] a, double[] b) {
        assertEquals(a.length, b.length, what);
        for (int i = 0; i < a.length; i++)
            if (!(Math.abs(a[i] - b[i]) <= 1e-9 * Math.max(1, Math.abs(a[i]))))
                fail(what + "[" + i + "]: " + a[i] + " in NCHW, " + b[i] + " in NHWC");
    }
}
