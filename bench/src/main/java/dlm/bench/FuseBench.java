package dlm.bench;

import dlm.api.BuildOptions;
import dlm.api.Dlm;
import dlm.api.ModeGraphs;
import dlm.codegen.jvm.Explanation;
import dlm.codegen.jvm.JvmCompiler;
import dlm.ir.Graph;
import dlm.runtime.CompiledModel;
import dlm.runtime.Tensor;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Elementwise fusion of the JVM backend: kernel count and arena size of the examples with and
 * without fusion and the simplification passes ({@code count}), and the training-step time with
 * fusion on and off, alternating blocks of steps in one JVM ({@code time}).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dlm.bench.FuseBench count [examples-dir]
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dlm.bench.FuseBench time [examples-dir] [rounds] [steps]
 * </pre>
 */
public final class FuseBench {
    private static final List<String> SIMPLIFY = List.of("fold", "simplify", "cse", "dce");

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "count";
        Path dir = Path.of(args.length > 1 ? args[1] : "examples");
        if (mode.equals("count")) count(dir);
        else time(dir, args.length > 2 ? Integer.parseInt(args[2]) : 10, args.length > 3 ? Integer.parseInt(args[3]) : 20);
    }

    private static void count(Path dir) {
        System.out.println("| model | graph | passes | kernels unfused | kernels fused | arena bytes unfused | arena bytes fused |");
        System.out.println("|---|---|---|---:|---:|---:|---:|");
        for (String name : List.of("lenet5", "resnet_mini", "resnet50")) {
            Graph src = Dlm.compile(dir.resolve(name + ".dlm")).model(null);
            for (boolean simplify : new boolean[]{true, false}) {
                ModeGraphs mg = new ModeGraphs(src, simplify ? List.of() : SIMPLIFY);
                row(name, "inference b1", simplify, mg.inference(), 1, n -> !n.equals(Graph.LOSS) && !n.startsWith("grad:"));
                if (mg.trainable()) row(name, "training b128", simplify, mg.training(), 128, n -> true);
            }
        }
    }

    private static void row(String name, String what, boolean simplify, Graph g, int batch, java.util.function.Predicate<String> wanted) {
        Explanation off = JvmCompiler.explain(g, batch, wanted, false), on = JvmCompiler.explain(g, batch, wanted, true);
        System.out.printf("| %s | %s | %s | %d | %d | %,d | %,d |%n", name, what, simplify ? "all" : "no fold/simplify/cse/dce",
                off.kernelCount(), on.kernelCount(), off.arenaBytes(), on.arenaBytes());
    }

    private static void time(Path dir, int rounds, int steps) {
        Object[][] work = {{"keras_mlp", 256}, {"lenet5", 128}};
        for (Object[] w : work) {
            String name = (String) w[0];
            int batch = (Integer) w[1];
            CompiledModel[] models = new CompiledModel[2]; // 0 fused, 1 unfused
            Map<String, Tensor> x = null, y = null;
            for (int k = 0; k < 2; k++) {
                System.setProperty("dlm.fuse", k == 0 ? "true" : "false");
                models[k] = Dlm.compile(dir.resolve(name + ".dlm")).build(null, BuildOptions.defaults());
                if (x == null) {
                    RandomBatch feeds = RandomBatch.of(models[k].signature(), batch, 0);
                    x = feeds.inputs();
                    y = feeds.targets();
                }
                models[k].trainStep(x, y); // compiles the step now, with this fusion setting
            }
            System.clearProperty("dlm.fuse");
            long[][] t = new long[2][rounds * steps];
            for (int r = -2; r < rounds; r++) // two warm-up rounds, then alternate blocks
                for (int k = 0; k < 2; k++)
                    for (int i = 0; i < steps; i++) {
                        long t0 = System.nanoTime();
                        models[k].trainStep(x, y);
                        if (r >= 0) t[k][r * steps + i] = System.nanoTime() - t0;
                    }
            for (int k = 0; k < 2; k++) {
                Arrays.sort(t[k]);
                System.out.printf("%s train b%d fusion %s: min %.1f us, median %.1f us (%d steps)%n", name, batch, k == 0 ? "on " : "off",
                        t[k][0] / 1e3, t[k][t[k].length / 2] / 1e3, t[k].length);
                models[k].close();
            }
            System.out.printf("load average %.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }
}
