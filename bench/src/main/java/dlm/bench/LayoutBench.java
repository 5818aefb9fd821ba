package dlm.bench;

import dlm.bench.AlternatingRuns.Workload;
import dlm.api.BuildOptions;
import dlm.api.Dlm;
import dlm.runtime.CompiledModel;
import dlm.runtime.Tensor;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The channels-last pass forced on vs forced off (-Ddlm.channelsLast=on / off while each model
 * compiles), as one run's ratios: lenet5's training step at batch 128, resnet_mini's training step
 * and prediction at batch 32 and resnet50's batch-1 prediction. Both models live in one JVM and run in alternating
 * blocks, so that load and frequency changes hit both alike. The numbers decide
 * {@code dlm.passes.LayoutRule}.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xss16m -cp bench/target/benchmarks.jar dlm.bench.LayoutBench \
 *      [--examples examples] [--rounds 10] [--only lenet5,resnet_mini,resnet50]
 * </pre>
 */
public final class LayoutBench {
    /** A workload: a training step at a batch, or a prediction. */

    public static void main(String[] args) throws Exception {
        Path dir = Path.of("examples");
        int rounds = 10;
        List<String> only = null;
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--examples" -> dir = Path.of(v);
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--only" -> only = Arrays.asList(v.split(","));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.println("| workload | NHWC: median | min | NCHW: median | min | NCHW/NHWC (medians) | steps each |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (Workload w : List.of(new Workload("lenet5", 128, true, 10), new Workload("resnet_mini", 32, true, 5),
                new Workload("resnet_mini", 32, false, 5), new Workload("resnet50", 1, false, 5)))
            if (only == null || only.contains(w.name())) run(dir, w, rounds);
        System.out.printf("load average %.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static void run(Path dir, Workload w, int rounds) {
        CompiledModel[] models = new CompiledModel[2]; // 0: NHWC, 1: NCHW
        Map<String, Tensor> x = null, y = null;
        for (int k = 0; k < 2; k++) {
            System.setProperty("dlm.channelsLast", k == 0 ? "on" : "off");
            models[k] = Dlm.compile(dir.resolve(w.name() + ".dlm")).build(null, BuildOptions.defaults());
            if (x == null) {
                RandomBatch feeds = RandomBatch.of(models[k].signature(), w.batch(), 0);
                x = feeds.inputs();
                y = feeds.targets();
            }
            w.step(models[k], x, y); // compiles the code now, under this setting
            System.clearProperty("dlm.channelsLast");
        }
        AlternatingRuns.printRow(w, models[0], models[1], x, y, rounds);
        for (CompiledModel m : models) m.close();
    }
}
