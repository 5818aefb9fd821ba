package dlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GraphCommandTest {
    @TempDir Path tmp;

    static boolean dotInstalled() {
        try {
            Process p = new ProcessBuilder("dot", "-V").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test void writesDotOfTheGraphAsWrittenAndOfTheTrainingGraph() throws IOException {
        Path out = tmp.resolve("tumor.dot");
        CliTest.Result r = CliTest.dlm("graph", CliTest.example("tumor"), "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        String dot = Files.readString(out);
        assertTrue(dot.startsWith("digraph tumor {") || dot.startsWith("digraph \"tumor\" {"), dot);
        assertTrue(dot.contains("input x") && dot.contains("shape=invhouse") && dot.contains("output "), dot);
        assertFalse(dot.contains("update "), "the graph as written updates nothing");
        assertTrue(r.out().contains("wrote " + out), r.out());

        Path grad = tmp.resolve("tumor-train.dot");
        r = CliTest.dlm("graph", CliTest.example("tumor"), "--grad", "-o", grad.toString());
        assertEquals(0, r.code(), r.err());
        String train = Files.readString(grad);
        assertTrue(train.contains("update ") && train.contains("[style=dashed]") && train.contains("shape=cylinder"), train);
        assertTrue(train.length() > dot.length());
        assertTrue(train.contains("subgraph cluster_"), "fused kernels are drawn as clusters: " + train);
        assertFalse(dot.contains("subgraph cluster_"), "the graph as written has no kernels yet");

        r = CliTest.dlm("graph", CliTest.example("tumor"), "--infer", "--skip-pass", "dce", "-o", tmp.resolve("i.dot").toString());
        assertEquals(0, r.code(), r.err());
    }

    @Test void userErrors() {
        CliTest.assertUserError(CliTest.dlm("graph", CliTest.example("tumor"), "--grad", "--infer", "-o", tmp.resolve("x.dot").toString()),
                "mutually exclusive");
        CliTest.assertUserError(CliTest.dlm("graph", CliTest.example("tumor"), "--grad", "--skip-pass", "fusion", "-o", tmp.resolve("x.dot").toString()),
                "no pass named 'fusion'");
        CliTest.assertUserError(CliTest.dlm("graph", CliTest.example("tumor"), "--skip-pass", "dce", "-o", tmp.resolve("x.dot").toString()),
                "--skip-pass needs --grad or --infer");
        CliTest.assertUserError(CliTest.dlm("graph", CliTest.example("tumor")), "-o");
    }

    /** Only where Graphviz is installed; CI has none, and then no svg is the normal outcome. */
    @Test void svgNextToTheDotWhenGraphvizIsThere() throws IOException {
        Path out = tmp.resolve("lenet5.dot");
        CliTest.Result r = CliTest.dlm("graph", CliTest.example("lenet5"), "--grad", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        Path svg = tmp.resolve("lenet5.svg");
        if (!dotInstalled()) {
            assertFalse(Files.exists(svg));
            assertTrue(r.out().contains("no svg"), r.out());
        }
        assumeTrue(dotInstalled(), "Graphviz 'dot' is not on the PATH");
        assertTrue(Files.readString(svg).contains("<svg"), "an svg from dot");
        assertTrue(r.out().contains("wrote " + svg), r.out());
    }
}
