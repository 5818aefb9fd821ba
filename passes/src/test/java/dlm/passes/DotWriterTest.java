package dlm.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dlm.ir.Graph;
import dlm.ir.Op;
import dlm.ir.text.IrParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DotWriterTest {
    static final Graph G = IrParser.parse("""
            graph "a \\"b\\"" {
              %0 = input(name="x") : f32[N, 3]
              %1 = param(name="w", kind=weight, init=ones, fan_in=0) : f32[3]
              %2 = fill(value=0.5) : f32[]
              %3 = binary(%0, %1, fn=mul)
              %4 = unary(%3, fn=relu, alpha=0.0)
              %5 = binary(%1, %2, fn=mul)
              output y = %4
              update w = %5
            }
            """);

    @Test void nodesEdgesOutputsAndUpdates() {
        assertEquals("""
                digraph "a \\"b\\"" {
                  rankdir=TB;
                  node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica", fontsize=10];
                  edge [color="#555555", arrowsize=0.6];
                  v0 [label="%0 input x\\nf32[N, 3]", shape=invhouse, fillcolor="#cfe3ff"];
                  v1 [label="%1 param w\\nf32[3]", shape=cylinder, fillcolor="#ffe2a8"];
                  v2 [label="%2 fill 0.5\\nf32[]", shape=ellipse, fillcolor="#eeeeee"];
                  v3 [label="%3 mul\\nf32[N, 3]"];
                  v4 [label="%4 relu\\nf32[N, 3]"];
                  v5 [label="%5 mul\\nf32[3]"];
                  v0 -> v3;
                  v1 -> v3;
                  v3 -> v4;
                  v1 -> v5;
                  v2 -> v5;
                  out0 [label="output y", shape=house, fillcolor="#c7efc4"];
                  v4 -> out0;
                  upd0 [label="update w", shape=house, fillcolor="#ffe2a8"];
                  v5 -> upd0 [style=dashed];
                }
                """, DotWriter.write(G));
    }

    @Test void clustersGroupTheNodesTheHookNames() {
        String dot = DotWriter.write(G, n -> n.op() instanceof Op.Binary || n.op() instanceof Op.Unary ? (n.out().id() == 5 ? "k1" : "k0") : null);
        assertTrue(dot.contains("""
                  subgraph cluster_0 {
                    label="k0"; style="rounded,dashed"; color="#888888";
                    v3 [label="%3 mul\\nf32[N, 3]"];
                    v4 [label="%4 relu\\nf32[N, 3]"];
                  }
                  subgraph cluster_1 {
                    label="k1"; style="rounded,dashed"; color="#888888";
                    v5 [label="%5 mul\\nf32[3]"];
                  }
                """), dot);
    }

    /** Only where Graphviz is installed (CI has none): dot must accept what we write. */
    @Test void graphvizAcceptsIt() throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("dot", "-Tsvg").start();
        } catch (IOException e) {
            assumeTrue(false, "Graphviz 'dot' is not on the PATH");
            return;
        }
        Graph big = Pipelines.training(OptimizationPipelineTest.mlp(null).train().orElseThrow()).run(OptimizationPipelineTest.mlp(null));
        try (var in = p.getOutputStream()) { in.write(DotWriter.write(big, n -> n.out().id() % 2 == 0 ? "even" : null).getBytes(StandardCharsets.UTF_8)); }
        String svg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), err);
        assertTrue(svg.contains("<svg") && svg.contains("update fc.weight"), svg.substring(0, Math.min(300, svg.length())));
    }
}
