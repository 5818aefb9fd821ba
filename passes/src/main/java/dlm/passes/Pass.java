package dlm.passes;

import dlm.ir.Graph;

/**
 * One graph-to-graph transformation. A pass never mutates the graph it is given: it returns a
 * new one (usually built with {@link GraphRewriter}), so the IR after every stage can be kept,
 * printed and compared.
 */
public interface Pass {
    /** The name used to skip the pass and to label the IR printed after it. */
    String name();

    Graph run(Graph g);
}
