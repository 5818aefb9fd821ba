package dlm.codegen.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dlm.codegen.jvm.rt.RunContext;
import dlm.ir.DType;
import dlm.ir.Graph;
import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.Type;
import dlm.ir.Value;
import dlm.ir.interp.Interpreter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.CheckClassAdapter;

/**
 * A tiny graph run on the reference interpreter (double) and on the JVM backend (float), with
 * the same inputs (random values rounded to float first, so both see identical data), outputs
 * compared with |jvm - ref| <= atol + rtol |ref|. Every generated class is also checked by
 * ASM's verifier.
 */
final class Differential {
    static final double RTOL = 1e-4, ATOL = 1e-5;

    final Graph g = new Graph("diff");
    final Map<String, double[]> feeds = new HashMap<>();
    final Map<String, double[]> state = new HashMap<>();
    final SplittableRandom rnd;
    final int batch;
    private int names;

    Differential(long seed, int batch) {
        this.rnd = new SplittableRandom(seed);
        this.batch = batch;
    }

    private double[] random(long n, double lo, double hi) {
        double[] d = new double[(int) n];
        for (int i = 0; i < d.length; i++) d[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        return d;
    }

    /** A parameter (no batch axis) of random values in [lo, hi). */
    Value param(double lo, double hi, int... dims) {
        String name = "p" + names++;
        Value v = g.addLeaf(new Op.Param(name, Op.ParamKind.WEIGHT, Op.Init.ZEROS, 0), Type.f32(dims));
        state.put(name, random(v.shape().numel(batch), lo, hi));
        return v;
    }

    /** An input with the batch axis in front of the given sample dimensions. */
    Value input(double lo, double hi, int... sample) {
        String name = "x" + names++;
        Value v = g.addLeaf(new Op.Input(name), Type.f32(Shape.batched(Arrays.stream(sample).boxed().toList())));
        feeds.put(name, random(v.shape().numel(batch), lo, hi));
        return v;
    }

    /** Integer ids in [0, n), batched. */
    Value ids(int n, int... sample) {
        String name = "ids" + names++;
        Value v = g.addLeaf(new Op.Input(name), new Type(DType.I32, Shape.batched(Arrays.stream(sample).boxed().toList())));
        double[] d = new double[(int) v.shape().numel(batch)];
        for (int i = 0; i < d.length; i++) d[i] = rnd.nextInt(n);
        feeds.put(name, d);
        return v;
    }

    Value op(Op op, Value... in) { return g.add(op, in); }

    /** Outputs the value, runs both backends and compares every output. */
    void check(Value... outs) {
        for (int i = 0; i < outs.length; i++) g.output("out" + i, outs[i]);
        compare(g, batch, feeds, state, RTOL, ATOL);
    }

    static Map<String, float[]> toFloat(Map<String, double[]> m) {
        Map<String, float[]> r = new HashMap<>();
        m.forEach((k, v) -> {
            float[] f = new float[v.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) v[i];
            r.put(k, f);
        });
        return r;
    }

    /** Runs g on both backends; also compares the state each run writes back. */
    static void compare(Graph g, int batch, Map<String, double[]> feeds, Map<String, double[]> state, double rtol, double atol) {
        Map<String, double[]> refState = new HashMap<>(state);
        Map<String, double[]> ref = new Interpreter(g).run(batch, feeds, refState);
        CompiledGraph cg = JvmCompiler.compile(g, batch);
        verify(cg.classBytes());
        Map<String, float[]> jvmState = toFloat(state);
        Map<String, float[]> got;
        try (RunContext ctx = new RunContext(1)) {
            got = cg.run(toFloat(feeds), jvmState, ctx);
        }
        for (String name : ref.keySet()) assertClose(name, ref.get(name), got.get(name), rtol, atol);
        for (String name : g.updates().keySet()) assertClose("update " + name, refState.get(name), jvmState.get(name), rtol, atol);
    }

    static void verify(byte[] bytes) {
        var sw = new java.io.StringWriter();
        CheckClassAdapter.verify(new ClassReader(bytes), Differential.class.getClassLoader(), false, new java.io.PrintWriter(sw));
        if (!sw.toString().isEmpty()) fail("generated class does not verify:\n" + sw);
    }

    static void assertClose(String what, double[] expected, float[] actual, double rtol, double atol) {
        if (actual == null) fail(what + ": no value from the jvm backend");
        assertEquals(expected.length, actual.length, what + ": length");
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            boolean ok = Math.abs(a - e) <= atol + rtol * Math.abs(e) || (Double.isNaN(e) && Double.isNaN(a)) || e == a;
            if (!ok && bad.size() < 5) bad.add("[" + i + "] expected " + e + " got " + a);
        }
        if (!bad.isEmpty()) fail(what + ": " + bad);
    }
}
