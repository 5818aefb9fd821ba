package dlm.api;

import dlm.codegen.jvm.JvmModel;
import dlm.ir.Graph;
import dlm.runtime.CompiledModel;
import dlm.runtime.DlmException;

import java.util.List;

/** The models of one .dlm source, checked and ready to build. */
public final class Program {
    private final String file;
    private final List<Graph> models;

    Program(String file, List<Graph> models) {
        this.file = file;
        this.models = List.copyOf(models);
    }

    public String file() { return file; }
    public List<Graph> models() { return models; }

    /** The named model, or the only one when {@code name} is null. */
    public Graph model(String name) {
        if (name == null) {
            if (models.size() == 1) return models.get(0);
            if (models.isEmpty()) throw new DlmException(file + ": no model in this file");
            throw new DlmException(file + ": holds several models " + names() + "; choose one with --model");
        }
        return models.stream().filter(g -> g.name().equals(name)).findFirst()
                .orElseThrow(() -> new DlmException(file + ": no model named '" + name + "'; models: " + names()));
    }

    /** Compiles the named model (or the only one) for a backend; weights initialized from the seed. */
    public CompiledModel build(String name, Backend backend, long seed) {
        return build(name, BuildOptions.defaults().withBackend(backend).withSeed(seed));
    }

    /** Compiles the named model (or the only one, when null) with the given options. */
    public CompiledModel build(String name, BuildOptions options) {
        Graph g = model(name);
        if (options.trainable() != null || options.freeze() != null || options.learningRate() != null) {
            g = g.withTrain(options.apply(g.train().orElse(null), g.name()));
            checkPatterns(g, options);
        }
        ModeGraphs graphs = new ModeGraphs(g, options.skipPasses());
        long seed = options.seed();
        return switch (options.backend()) {
            case INTERP -> new InterpretedModel(graphs, seed);
            case JVM -> new JvmModel(Signatures.of(graphs.source()), jvmGraphs(graphs), seed);
        };
    }

    /** The JVM backend sees the mode graphs through its own small interface (it does not depend on api). */
    private static JvmModel.Graphs jvmGraphs(ModeGraphs g) {
        return new JvmModel.Graphs() {
            @Override public Graph inference() { return g.inference(); }
            @Override public Graph training() { return g.training(); }
            @Override public Graph gradients() { return g.gradients(); }
            @Override public Graph stateOwner() { return g.stateOwner(); }
        };
    }

    /** A trainable/freeze name that matches no layer is a typo, not a no-op. */
    private static void checkPatterns(Graph g, BuildOptions o) {
        List<String> patterns = o.trainable() != null ? o.trainable() : o.freeze() != null ? o.freeze() : List.of();
        List<String> params = g.params().stream().map(n -> ((dlm.ir.Op.Param) n.op()).name()).toList();
        for (String p : patterns) {
            boolean any = params.stream().anyMatch(n -> dlm.ir.TrainSpec.matches(p, n.contains(".") ? n.substring(0, n.lastIndexOf('.')) : n));
            if (!any) throw new DlmException(g.name() + ": no layer matches '" + p + "'");
        }
    }

    private List<String> names() { return models.stream().map(Graph::name).toList(); }
}
