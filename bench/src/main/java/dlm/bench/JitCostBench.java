package dlm.bench;

import dlm.api.Backend;
import dlm.api.BuildOptions;
import dlm.api.Dlm;
import dlm.runtime.CompiledModel;
import dlm.runtime.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JIT cost: from .dlm text to the first batch-1 prediction in a warm JVM (parse, check,
 * lower, plan, generate bytecode, define hidden classes, run once). The warm-up iterations
 * compile dlm itself; each measured iteration compiles the model afresh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 5)
@Measurement(iterations = 10)
public class JitCostBench {
    @Param({"lenet5", "resnet50"})
    public String model;

    String source;
    Tensor input;

    @Setup
    public void read() throws IOException {
        Path p = Path.of("examples", model + ".dlm");
        if (!Files.exists(p)) p = Path.of("..", "examples", model + ".dlm");
        source = Files.readString(p);
        input = model.equals("lenet5") ? Tensor.zeros(1, 1, 28, 28) : Tensor.zeros(1, 3, 224, 224);
    }

    @Benchmark
    public float textToFirstPrediction() {
        try (CompiledModel m = Dlm.compile(model + ".dlm", source).build(null, BuildOptions.defaults().withBackend(Backend.JVM))) {
            Map<String, Tensor> out = m.predict(Map.of("image", input));
            return out.values().iterator().next().data()[0];
        }
    }
}
