package dlm.passes;

import dlm.ir.Graph;
import dlm.ir.Verifier;
import dlm.ir.text.IrPrinter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * An ordered list of passes run one after the other. Passes can be skipped by name (to bisect a
 * miscompilation, or to look at the IR without one stage) and an observer sees the graph after
 * every pass that ran. Every result is checked by the IR {@link Verifier}, so a pass that breaks
 * an invariant is named at once rather than found by a backend. Immutable: {@link #skip} and
 * {@link #observe} return a new pipeline.
 */
public final class Pipeline {
    private final List<Pass> passes;
    private final Set<String> skipped;
    private final List<BiConsumer<String, Graph>> observers;

    public Pipeline(List<Pass> passes) { this(passes, Set.of(), List.of()); }

    private Pipeline(List<Pass> passes, Set<String> skipped, List<BiConsumer<String, Graph>> observers) {
        this.passes = List.copyOf(passes);
        this.skipped = Set.copyOf(skipped);
        this.observers = List.copyOf(observers);
    }

    public static Pipeline of(Pass... passes) { return new Pipeline(List.of(passes)); }

    public List<Pass> passes() { return passes; }

    public List<String> names() { return passes.stream().map(Pass::name).toList(); }

    /** The same pipeline without the named passes. An unknown name is an error, not a silent no-op. */
    public Pipeline skip(String... names) {
        Set<String> s = new TreeSet<>(skipped);
        for (String n : names) {
            if (!names().contains(n)) throw new IllegalArgumentException("no pass named '" + n + "' in pipeline " + names());
            s.add(n);
        }
        return new Pipeline(passes, s, observers);
    }

    /** Calls the observer with the pass name and its result after every pass that ran. */
    public Pipeline observe(BiConsumer<String, Graph> observer) {
        List<BiConsumer<String, Graph>> o = new ArrayList<>(observers);
        o.add(observer);
        return new Pipeline(passes, skipped, o);
    }

    /**
     * Collects the IR text after every pass into {@code sink} (pass name to text), with the
     * given printer (the textual IR printer of {@code dlm.ir}, or anything else).
     */
    public Pipeline collect(Function<Graph, String> printer, Map<String, String> sink) {
        return observe((name, g) -> sink.put(name, printer.apply(g)));
    }

    public Graph run(Graph g) {
        Graph cur = g;
        for (Pass p : passes) {
            if (skipped.contains(p.name())) continue;
            cur = p.run(cur);
            try {
                Verifier.verify(cur);
            } catch (RuntimeException e) {
                throw new IllegalStateException("pass '" + p.name() + "' produced an invalid graph: " + e.getMessage(), e);
            }
            for (BiConsumer<String, Graph> o : observers) o.accept(p.name(), cur);
        }
        return cur;
    }

    /** Runs the pipeline and returns the IR text after each pass, in order. */
    public Map<String, String> trace(Graph g, Function<Graph, String> printer) {
        Map<String, String> out = new LinkedHashMap<>();
        collect(printer, out).run(g);
        return out;
    }

    /** {@link #trace(Graph, Function)} with the textual IR printer. */
    public Map<String, String> trace(Graph g) { return trace(g, IrPrinter::print); }

    @Override public String toString() {
        return passes.stream().map(p -> skipped.contains(p.name()) ? "(" + p.name() + ")" : p.name()).toList().toString();
    }
}
