package dlm.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;

import org.junit.jupiter.api.Test;

import dlm.ir.Graph;
import dlm.ir.Op;
import dlm.ir.TrainSpec;

/** Lexical and syntactic corners of the language that the examples do not exercise. */
class SyntaxTest {

    @Test void numbersCommentsSeparatorsAndElseIf() throws Exception {
        Graph g = Frontend.compile("t.dlm", """
                # a comment line
                model m {   # trailing comment
                  input x: [2]; h = x
                  for i in -1..1 { h = h -> leaky_relu(alpha=1e-2) }
                  k = 3
                  if k < 2 { h = h -> dense(1) } else if k == 3 { h = h -> dense(2) } else { h = h -> dense(3) }
                  output y = h -> dense(
                    4,
                    bias=false,
                  )
                }
                """).model();
        assertEquals(List.of(new Op.Unary(Op.UnaryFn.LEAKY_RELU, 0.01), new Op.Unary(Op.UnaryFn.LEAKY_RELU, 0.01)),
                LoweringTest.ops(g, Op.Unary.class));
        assertEquals(List.of(2, 2), LoweringTest.params(g).get("dense_1.weight"));
        assertEquals(2 * 2 + 2 + 4 * 2, g.weightCount());
    }

    @Test void pipelinesBindLoosest() throws Exception {
        // a + b -> relu is relu(a + b); the stage may be an op, a def, or a layer
        Graph g = Frontend.compile("t.dlm", "def twice(x) { return x + x }\nmodel m {\n input a: [2]\n input b: [2]\n"
                + " output y = a + b -> relu -> twice -> dense(3)\n}").model();
        List<Op> ops = g.nodes().stream().map(n -> n.op()).filter(o -> !(o instanceof Op.Leaf)).toList();
        assertEquals(List.of(new Op.Binary(Op.BinaryFn.ADD), new Op.Unary(Op.UnaryFn.RELU, 0), new Op.Binary(Op.BinaryFn.ADD),
                new Op.MatMul(false, true), new Op.Binary(Op.BinaryFn.ADD)), ops);
    }

    @Test void freezePatternsMayNameNestedLayers() throws Exception {
        Graph g = Frontend.compile("t.dlm", """
                def unit(x) { return x -> dense(2, name=fc) }
                model m {
                  input x: [2]
                  h = x -> unit(name=layer1)
                  output p = h -> unit(name=head) -> sigmoid
                  train {
                    target y: [2]
                    loss = binary_cross_entropy(p, y)
                    freeze = [layer1.fc, head*]
                  }
                }
                """).model();
        TrainSpec t = g.train().orElseThrow();
        assertEquals(List.of("layer1.fc", "head*"), t.freeze());
        assertEquals(List.of(), g.trainableParams());
    }

    @Test void syntaxErrorsPrintNothing() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured));
        try {
            CompileException e = assertThrows(CompileException.class, () -> Frontend.compile("t.dlm", "model m {\n input x: [2\n}\n"));
            assertEquals("t.dlm:3:1: expected ']' or ',', got '}'", e.diagnostics().getFirst().header());
        } finally {
            System.setErr(err);
        }
        assertEquals("", captured.toString());
    }
}
