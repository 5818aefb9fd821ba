package dlm.frontend;

import java.util.List;
import java.util.Optional;

import dlm.ir.Graph;

/** The models of one .dlm file, in file order, each as an IR graph named after its model. */
public record CompiledSource(Source source, List<Graph> models) {
    public CompiledSource { models = List.copyOf(models); }

    public Optional<Graph> model(String name) {
        return models.stream().filter(g -> g.name().equals(name)).findFirst();
    }

    /** The only model of the file, or the one named; fails when that is ambiguous or absent. */
    public Graph model() {
        if (models.size() != 1) throw new IllegalStateException(source.name() + " holds " + models.size() + " models; name one");
        return models.getFirst();
    }
}
