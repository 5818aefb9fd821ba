package dlm.ir.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.ir.AllOps;
import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.TrainSpec;
import dlm.ir.Type;
import dlm.ir.Value;
import dlm.ir.Verifier;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class IrTextTest {
    @Test void theTestGraphUsesEveryOp() {
        Set<String> used = AllOps.graph().nodes().stream().map(n -> n.op().opName()).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(Records.OPS.keySet()), used, "AllOps must use every op of Op.java");
    }

    @Test void roundTripsEveryOp() {
        Graph g = AllOps.graph();
        String text = IrPrinter.print(g);
        Graph back = IrParser.parse(text);
        assertEquals(text, IrPrinter.print(back));
        assertEquals(g.size(), back.size());
        for (int i = 0; i < g.size(); i++) {
            Node a = g.nodes().get(i), b = back.nodes().get(i);
            assertEquals(a.op(), b.op());
            assertEquals(a.out().type(), b.out().type());
            assertEquals(a.inputs().stream().map(Value::id).toList(), b.inputs().stream().map(Value::id).toList());
        }
        assertEquals(g.train(), back.train());
        assertEquals(g.outputs().keySet(), back.outputs().keySet());
        Verifier.verify(back);
    }

    @Test void printsTheDocumentedForm() {
        String text = IrPrinter.print(AllOps.graph());
        assertTrue(text.startsWith("graph all_ops {\n  %0 = input(name=\"x\") : f32[N, 3, 6, 6]\n"), text);
        assertTrue(text.contains("= param(name=\"layer1.0.conv1.weight\", kind=weight, init=uniform_fan_in, fan_in=27) : f32[4, 3, 3, 3]\n"), text);
        assertTrue(text.contains("= mat_mul(%"), text);
        assertTrue(text.contains(", trans_a=false, trans_b=true) : f32[N, 3]\n"), text);
        assertTrue(text.contains("= fill(value=-Infinity) : f32[]\n"), text);
        assertTrue(text.contains("= reduce(%"), text);
        assertTrue(text.contains(", fn=mean, axes=[2, 3], keep_dims=false) : f32[N, 4]"), text);
        assertTrue(text.contains("  output \"odd name-1\" = %"), text);
        assertTrue(text.contains("  update layer1.0.conv1.weight = %"), text);
        assertTrue(text.contains("  train optimizer=adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1.0E-8, decay=0.0) metrics=[accuracy, f1] freeze=[head*, layer1.0] trainable=[] prediction_output=p target_name=y prediction=class_logits\n}\n"), text);
    }

    @Test void doublesRoundTripExactly() {
        double[] vals = {0.1, 1.0 / 3, 1e-300, -2.5e17, Double.MIN_VALUE, Double.MAX_VALUE, -0.0, Double.NaN, Double.POSITIVE_INFINITY};
        Graph g = new Graph("d");
        for (double v : vals) g.addLeaf(new Op.Fill(v), Type.f32());
        Graph back = IrParser.parse(IrPrinter.print(g));
        for (int i = 0; i < vals.length; i++)
            assertEquals(Double.doubleToRawLongBits(vals[i]), Double.doubleToRawLongBits(((Op.Fill) back.nodes().get(i).op()).value()));
    }

    @Test void stringsWithEscapesRoundTrip() {
        Graph g = new Graph("s");
        g.addLeaf(new Op.Input("a \"quoted\"\\ name\n\t\u0001"), Type.f32(Shape.batched(List.of(2))));
        Graph back = IrParser.parse(IrPrinter.print(g));
        assertEquals(g.nodes().get(0).op(), back.nodes().get(0).op());
    }

    @Test void sgdAndEmptyTrainSettingsRoundTrip() {
        Graph g = new Graph("t");
        Value x = g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(List.of(2))));
        g.output("y", x);
        g.setTrain(new TrainSpec(new TrainSpec.Sgd(0.1, 0.9, 0.0), List.of(), List.of(), List.of("dense_1"), null, null, null));
        String text = IrPrinter.print(g);
        assertTrue(text.contains("train optimizer=sgd(lr=0.1, momentum=0.9, weight_decay=0.0) metrics=[] freeze=[] trainable=[dense_1]\n"), text);
        Graph back = IrParser.parse(text);
        assertEquals(g.train(), back.train());
        assertEquals(text, IrPrinter.print(back));
    }

    @Test void typesOfNonLeavesMayBeLeftOut() {
        Graph g = IrParser.parse("""
                graph g {   # a comment
                  %x = input(name="x") : f32[N, 3]
                  %w = param(name="w", kind=weight, init=zeros, fan_in=0) : f32[2, 3]
                  %y = mat_mul(%x, %w, trans_b=true, trans_a=false)
                  output y = %y
                }
                """);
        assertEquals(Type.f32(Shape.batched(List.of(2))), g.outputs().get("y").type());
    }

    private static IrParseException fails(String text) { return assertThrows(IrParseException.class, () -> IrParser.parse(text)); }

    private static final String HEAD = "graph g {\n  %0 = input(name=\"x\") : f32[N, 3]\n";

    @Test void errorsSayWhereAndWhat() {
        IrParseException e = fails(HEAD + "  %1 = frobnicate(%0)\n}\n");
        assertEquals(3, e.line());
        assertEquals(8, e.column());
        assertEquals("3:8: unknown op 'frobnicate'", e.getMessage());

        e = fails(HEAD + "  %1 = unary(%0, fn=relu)\n}\n");
        assertEquals("3:25: unary needs attribute 'alpha'", e.getMessage());

        e = fails(HEAD + "  %1 = unary(%0, fn=rellu, alpha=0.0)\n}\n");
        assertTrue(e.getMessage().startsWith("3:21: expected one of [neg, relu,"), e.getMessage());

        e = fails(HEAD + "  %1 = unary(%0, fn=relu, alpha=0.0) : f32[N, 4]\n}\n");
        assertEquals("3:40: declared type f32[N, 4] but unary infers f32[N, 3]", e.getMessage());

        e = fails(HEAD + "  %1 = unary(%2, fn=relu, alpha=0.0)\n}\n");
        assertEquals("3:14: %2 is used before it is defined", e.getMessage());

        e = fails(HEAD + "  %0 = unary(%0, fn=relu, alpha=0.0)\n}\n");
        assertEquals("3:3: %0 is defined twice", e.getMessage());

        e = fails(HEAD + "  %1 = unary(%0, fn=relu, alpha=zero)\n}\n");
        assertEquals("3:33: expected a number, got 'zero'", e.getMessage());

        e = fails(HEAD + "  %1 = slice(%0, axis=1, start=1.5, end=2)\n}\n");
        assertEquals("3:32: expected an integer, got '1.5'", e.getMessage());

        e = fails(HEAD + "  %1 = mat_mul(%0, %0, trans_a=false, trans_b=false)\n}\n");
        assertEquals("3:8: mat_mul: matmul inner dimensions differ: [3] and [3]", e.getMessage());

        e = fails(HEAD + "  %1 = binary(%0, fn=add)\n}\n");
        assertEquals("3:8: binary takes 2 inputs, got 1", e.getMessage());

        e = fails(HEAD + "  %1 = input(name=\"y\")\n}\n");
        assertEquals("4:1: expected ':' and the type of input (leaves carry their type), got '}'", e.getMessage());

        e = fails(HEAD + "  output y = %0\n");
        assertEquals("4:1: expected a node (%N = ...), 'output', 'update', 'train' or '}', got end of input", e.getMessage());

        e = fails("graph g {\n  %0 = input(name=\"x\") : f32[3, N]\n}");
        assertEquals("2:26: batch dimension only allowed first: [3, -1]", e.getMessage());

        e = fails("graph g { %0 = input(name=\"x) }");
        assertEquals("1:27: unterminated string", e.getMessage());

        e = fails("graph g { } extra");
        assertEquals("1:13: expected end of input after the graph, got 'extra'", e.getMessage());
    }
}
