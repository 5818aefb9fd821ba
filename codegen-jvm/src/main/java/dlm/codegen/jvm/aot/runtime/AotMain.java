package dlm.codegen.jvm.aot.runtime;

import dlm.codegen.jvm.kernels.Simd;
import dlm.runtime.Dataset;
import dlm.runtime.DlmException;
import dlm.runtime.ModelSignature;
import dlm.runtime.Tensor;
import dlm.runtime.TensorSpec;
import dlm.runtime.io.Csv;
import dlm.runtime.io.IdxDataset;
import dlm.runtime.io.Npy;
import dlm.runtime.io.Safetensors;
import dlm.runtime.train.FitOptions;
import dlm.runtime.train.History;
import dlm.runtime.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line of an ahead-of-time jar ({@code java --add-modules jdk.incubator.vector -jar
 * model.jar ...}), without picocli so that the jar carries nothing of the compiler:
 * <pre>
 *   info
 *   predict --input NAME=X.npy ... --out DIR [--weights W.safetensors] [--model NAME]
 *   train --data CSV|DIR [--target NAME] [--no-header] [--epochs N] [--batch N] [--val F]
 *         [--standardize] [--monitor METRIC] [--seed S] [--weights W.safetensors] [--save W.safetensors]
 * </pre>
 * Mistakes end with one line on stderr and exit code 2, as with {@code dlm}.
 */
public final class AotMain {
    private AotMain() {}

    static final int USER_ERROR = 2;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        try {
            if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
                System.out.println(usage());
                return args.length == 0 ? USER_ERROR : 0;
            }
            Args a = new Args(Arrays.copyOfRange(args, 1, args.length));
            return switch (args[0]) {
                case "info" -> info(a);
                case "predict" -> predict(a);
                case "train" -> train(a);
                default -> throw new DlmException("unknown command '" + args[0] + "'; commands: info, predict, train");
            };
        } catch (DlmException e) {
            System.out.flush();
            System.err.println("dlm: " + e.getMessage());
            return USER_ERROR;
        }
    }

    static String usage() {
        return """
                usage: java --add-modules jdk.incubator.vector -jar MODEL.jar COMMAND [OPTIONS]
                  info                               the model's inputs, outputs and compiled batch sizes
                  predict --input NAME=X.npy ... --out DIR [--weights W.safetensors]
                                                     writes each output as DIR/<output>.npy
                  train --data CSV|DIR [--target NAME] [--no-header] [--epochs N] [--batch N] [--val F]
                        [--standardize] [--monitor METRIC] [--seed S] [--weights W.safetensors] [--save W.safetensors]
                                                     the trailing partial batch of each epoch is not used
                  (--model NAME picks the model when the jar holds several)""";
    }

    private static AotModel open(Args a) {
        if (!Simd.ENABLED && Boolean.parseBoolean(System.getProperty("dlm.simd", "true")))
            System.err.println("dlm: note: the Vector API is not available (start java with --add-modules jdk.incubator.vector); running the scalar kernels");
        ClassLoader loader = AotMain.class.getClassLoader();
        String name = a.one("--model");
        if (name == null) {
            List<String> models = AotModel.models(loader);
            if (models.size() != 1) throw new DlmException("the jar holds the models " + models + "; choose one with --model");
            name = models.getFirst();
        }
        AotModel m = AotModel.load(loader, name);
        String w = a.one("--weights");
        if (w != null) m.loadStateDict(Safetensors.load(Path.of(w)), true);
        return m;
    }

    private static int info(Args a) {
        a.done();
        try (AotModel m = open(a)) {
            ModelSignature s = m.signature();
            System.out.println("model " + s.name());
            s.inputs().forEach(t -> System.out.println("  input  " + t));
            s.outputs().forEach(t -> System.out.println("  output " + t));
            s.targets().forEach(t -> System.out.println("  target " + t));
            System.out.println("  predict batch sizes " + Arrays.toString(m.predictBatchSizes()));
            System.out.println("  train batch size " + (m.trainBatchSize() == 0 ? "none (no train block)" : m.trainBatchSize()));
        }
        return 0;
    }

    private static int predict(Args a) {
        Map<String, Tensor> x = new LinkedHashMap<>();
        for (String s : a.all("--input")) {
            int eq = s.indexOf('=');
            if (eq <= 0 || eq == s.length() - 1) throw new DlmException("--input expects NAME=FILE.npy, got '" + s + "'");
            if (x.containsKey(s.substring(0, eq))) throw new DlmException("--input " + s.substring(0, eq) + " given twice");
            x.put(s.substring(0, eq), Npy.read(Path.of(s.substring(eq + 1))));
        }
        if (x.isEmpty()) throw new DlmException("predict needs --input NAME=X.npy");
        String outDir = a.required("--out");
        a.done();
        try (AotModel m = open(a)) {
            Map<String, Tensor> y = m.predict(x);
            Path out = Path.of(outDir);
            try {
                Files.createDirectories(out);
            } catch (IOException e) {
                throw new DlmException(out + ": cannot create directory: " + e.getMessage());
            }
            for (var e : y.entrySet()) {
                Path f = out.resolve(e.getKey() + ".npy");
                Npy.write(f, e.getValue());
                System.out.println("wrote " + f + " " + Arrays.toString(e.getValue().shape()));
            }
        }
        return 0;
    }

    private static int train(Args a) {
        Path data = Path.of(a.required("--data"));
        String target = a.one("--target");
        boolean header = !a.flag("--no-header");
        int epochs = a.integer("--epochs", 10);
        Integer batchOpt = a.has("--batch") ? a.integer("--batch", 0) : null;
        String valText = a.one("--val");
        boolean standardize = a.flag("--standardize");
        String monitor = a.one("--monitor");
        long seed = Long.parseLong(a.one("--seed") == null ? "0" : a.one("--seed"));
        String save = a.one("--save");
        a.done();
        if (epochs < 1) throw new DlmException("--epochs must be at least 1");
        Path savePath = save == null ? null : Path.of(save);
        if (savePath != null && savePath.toAbsolutePath().getParent() != null && !Files.isDirectory(savePath.toAbsolutePath().getParent()))
            throw new DlmException(save + ": directory " + savePath.toAbsolutePath().getParent() + " does not exist");
        try (AotModel m = open(a)) {
            int batch = m.trainBatchSize();
            if (batch == 0) throw new DlmException(m.signature().name() + " has no train block: it cannot be trained");
            if (batchOpt != null && batchOpt != batch)
                throw new DlmException("this jar was compiled to train at batch size " + batch + ", not " + batchOpt + " (recompile with dlm compile --train-batch " + batchOpt + ")");
            Dataset[] td = load(data, m.signature(), target, header);
            double fraction = valText != null ? parseDouble(valText, "--val") : td[1] == null ? 0.2 : 0.0;
            if (fraction < 0 || fraction >= 1) throw new DlmException("--val must be in [0, 1), got " + fraction);
            Dataset train = td[0], validation = null;
            if (fraction > 0) {
                Dataset.Split split = train.split(fraction, seed);
                train = split.train();
                validation = split.validation();
            }
            int n = train.size(), used = n / batch * batch;
            if (used == 0) throw new DlmException("the training data has " + n + " samples, fewer than one batch of " + batch);
            if (used < n) {
                int[] idx = new int[used];
                for (int i = 0; i < used; i++) idx[i] = i;
                train = train.subset(idx);
            }
            System.out.printf("%s (ahead of time): %d training samples%s%s%n", m.signature().name(), used,
                    used < n ? " (the last " + (n - used) + " dropped: the jar trains in whole batches of " + batch + ")" : "",
                    validation == null ? "" : ", " + validation.size() + " for validation");
            FitOptions opts = FitOptions.defaults().withEpochs(epochs).withBatchSize(batch).withShuffle(true, seed)
                    .withStandardize(standardize).withMonitor(monitor).withCheckpoint(savePath).withProgress(System.out);
            History h = Trainer.fit(m, train, validation, opts);
            System.out.printf("best %s %.4f at epoch %d%n", h.monitor(), h.bestValue(), h.bestEpoch());
            if (td[1] != null) {
                Dataset test = h.standardizer() == null ? td[1] : h.standardizer().apply(td[1]);
                Map<String, Double> r = Trainer.evaluate(m, test, Math.max(batch, m.predictBatchSizes()[0]));
                StringBuilder sb = new StringBuilder();
                r.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : "  ").append(k).append(' ').append(String.format("%.4f", v)));
                System.out.println("test: " + sb);
            }
            if (savePath != null) System.out.println("saved best weights (epoch " + h.bestEpoch() + ") to " + savePath);
        }
        return 0;
    }

    /** A CSV table or an IDX directory as {train, test (or null)}, named after the model's input and target. */
    static Dataset[] load(Path data, ModelSignature sig, String targetColumn, boolean header) {
        if (sig.inputs().size() != 1 || sig.targets().size() != 1)
            throw new DlmException(sig.name() + ": --data feeds models with one input and one target; this one has "
                    + sig.inputs().size() + " inputs and " + sig.targets().size() + " targets");
        TensorSpec in = sig.inputs().get(0), tg = sig.targets().get(0);
        if (Files.isDirectory(data)) {
            IdxDataset idx = IdxDataset.load(data);
            return new Dataset[]{fit(idx.train(in.name(), tg.name()), in, data), fit(idx.test(in.name(), tg.name()), in, data)};
        }
        Csv.Table t = header
                ? Csv.read(data, targetColumn != null ? targetColumn : tg.name(), tg.integer())
                : Csv.readLastColumnLabel(data, tg.integer());
        return new Dataset[]{fit(t.toDataset(in.name(), tg.name()), in, data), null};
    }

    private static Dataset fit(Dataset d, TensorSpec in, Path source) {
        Tensor x = d.input(in.name());
        int[] want = in.sampleShape();
        if (x.sampleSize() != in.sampleSize())
            throw new DlmException(source + ": samples have " + x.sampleSize() + " values but input '" + in.name()
                    + "' expects " + in.sampleSize() + " " + Arrays.toString(want));
        int[] shape = new int[want.length + 1];
        shape[0] = x.dim(0);
        System.arraycopy(want, 0, shape, 1, want.length);
        return new Dataset(Map.of(in.name(), x.reshape(shape)), d.targets());
    }

    private static double parseDouble(String s, String option) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new DlmException(option + " expects a number, got '" + s + "'");
        }
    }

    /** {@code --name value} options (repeatable) and {@code --flag}s. */
    private static final class Args {
        private static final List<String> FLAGS = List.of("--no-header", "--standardize");
        private final Map<String, List<String>> values = new LinkedHashMap<>();

        Args(String[] args) {
            for (int i = 0; i < args.length; i++) {
                String k = args[i];
                if (!k.startsWith("--")) throw new DlmException("unexpected argument '" + k + "'");
                String v;
                int eq = k.indexOf('=');
                if (FLAGS.contains(k)) v = "true";
                else if (eq > 0 && !k.startsWith("--input")) { v = k.substring(eq + 1); k = k.substring(0, eq); }
                else if (i + 1 < args.length) v = args[++i];
                else throw new DlmException(k + " needs a value");
                values.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            }
        }

        private final List<String> used = new ArrayList<>(List.of("--model", "--weights"));

        boolean has(String k) { return values.containsKey(k); }

        List<String> all(String k) { used.add(k); return values.getOrDefault(k, List.of()); }

        String one(String k) {
            used.add(k);
            List<String> v = values.get(k);
            if (v == null) return null;
            if (v.size() > 1) throw new DlmException(k + " given " + v.size() + " times");
            return v.getFirst();
        }

        String required(String k) {
            String v = one(k);
            if (v == null) throw new DlmException("missing " + k);
            return v;
        }

        boolean flag(String k) { return one(k) != null; }

        int integer(String k, int dflt) {
            String v = one(k);
            if (v == null) return dflt;
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new DlmException(k + " expects an integer, got '" + v + "'");
            }
        }

        /** Every option was consumed: an unknown one is a mistake, not silence. */
        void done() {
            for (String k : values.keySet()) if (!used.contains(k)) throw new DlmException("unknown option " + k + " (see: java -jar MODEL.jar --help)");
        }
    }
}
