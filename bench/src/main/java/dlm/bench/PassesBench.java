package dlm.bench;

import dlm.bench.AlternatingRuns.Workload;
import dlm.api.BuildOptions;
import dlm.api.Dlm;
import dlm.runtime.CompiledModel;
import dlm.runtime.Tensor;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The optimization passes on vs off, as one run's ratios: keras_mlp's training step at batch
 * 256, lenet5's at batch 128 and resnet50's batch-1 prediction. "On" is the default build;
 * "off" skips the graph passes named by {@code --skip} (by default fold, simplify, cse and dce;
 * {@code none} for none) and sets each {@code --off} system property (by default
 * {@code dlm.fuse=false}) while the model is compiled. To compare one switch alone, e.g. the
 * product epilogue: {@code -Ddlm.epilogue=true ... --skip none --off dlm.epilogue=false}. Both models live in one JVM and run in alternating blocks, so
 * that load and frequency changes hit both alike.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xss16m -cp bench/target/benchmarks.jar dlm.bench.PassesBench \
 *      [--examples examples] [--rounds 10] [--skip NAME,...|none] [--off dlm.fuse=false,...]
 * </pre>
 */
public final class PassesBench {
    private static final List<String> SIMPLIFY = List.of("fold", "simplify", "cse", "dce");

    /** A workload: a training step at a batch, or a prediction. */

    public static void main(String[] args) throws Exception {
        Path dir = Path.of("examples");
        int rounds = 10;
        List<String> skip = new ArrayList<>(SIMPLIFY), off = new ArrayList<>(List.of("dlm.fuse=false"));
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--examples" -> dir = Path.of(v);
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--skip" -> { skip.clear(); if (!v.equals("none")) skip.addAll(Arrays.asList(v.split(","))); }
                case "--off" -> { off.clear(); off.addAll(Arrays.asList(v.split(","))); }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.printf("passes off = skip %s, %s%n", skip, off);
        System.out.println("| workload | passes on: median | min | passes off: median | min | off/on (medians) | steps each |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (Workload w : List.of(new Workload("keras_mlp", 256, true, 20), new Workload("lenet5", 128, true, 10),
                new Workload("resnet50", 1, false, 5)))
            run(dir, w, rounds, skip, off);
        System.out.printf("load average %.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static void run(Path dir, Workload w, int rounds, List<String> skip, List<String> off) {
        CompiledModel[] models = new CompiledModel[2]; // 0: passes on, 1: passes off
        Map<String, Tensor> x = null, y = null;
        for (int k = 0; k < 2; k++) {
            if (k == 1) for (String p : off) System.setProperty(p.substring(0, p.indexOf('=')), p.substring(p.indexOf('=') + 1));
            BuildOptions o = BuildOptions.defaults().withSkipPasses(k == 0 ? List.of() : skip);
            models[k] = Dlm.compile(dir.resolve(w.name() + ".dlm")).build(null, o);
            if (x == null) {
                RandomBatch feeds = RandomBatch.of(models[k].signature(), w.batch(), 0);
                x = feeds.inputs();
                y = feeds.targets();
            }
            w.step(models[k], x, y); // compiles the code now, under this setting
            if (k == 1) for (String p : off) System.clearProperty(p.substring(0, p.indexOf('=')));
        }
        AlternatingRuns.printRow(w, models[0], models[1], x, y, rounds);
        for (CompiledModel m : models) m.close();
    }
}
