package dlm.codegen.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.ir.Graph;
import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.Type;
import dlm.ir.Value;
import dlm.runtime.DlmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated classes: verifiable, dumpable, with constants in the code, and refusals at compile time. */
class BytecodeTest {
    private static Graph small() {
        Graph g = new Graph("small");
        Value x = g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(List.of(7))));
        Value w = g.addLeaf(new Op.Param("w", Op.ParamKind.WEIGHT, Op.Init.ONES, 0), Type.f32(7));
        Value half = g.addLeaf(new Op.Fill(0.5), Type.f32());
        g.output("y", g.add(new Op.Binary(Op.BinaryFn.MUL), g.add(new Op.Binary(Op.BinaryFn.ADD), x, w), half));
        return g;
    }

    @Test void dumpsTheTextualFormWhenAsked(@TempDir Path dir) throws Exception {
        String old = System.getProperty(ClassDefiner.DUMP_PROPERTY);
        System.setProperty(ClassDefiner.DUMP_PROPERTY, dir.toString());
        try {
            CompiledGraph cg = JvmCompiler.compile(small(), 5);
            Differential.verify(cg.classBytes());
            List<Path> files;
            try (var s = Files.list(dir)) { files = s.toList(); }
            assertEquals(1, files.size());
            String text = Files.readString(files.getFirst());
            assertTrue(files.getFirst().getFileName().toString().startsWith("Step_small_b5_"), files.toString());
            assertTrue(text.contains("LDC 0.5"), "the scalar constant is inlined:\n" + text);
            // fused into one loop nest over [5, 7] (w broadcasts along the batch), or one flat loop of 35 unfused
            assertTrue(text.contains("BIPUSH 35") || (text.contains("ICONST_5") && text.contains("BIPUSH 7")),
                    "the loop bounds 5 x 7 are constants:\n" + text);
            assertTrue(text.contains("FMUL") && text.contains("FADD"), text);
        } finally {
            if (old == null) System.clearProperty(ClassDefiner.DUMP_PROPERTY);
            else System.setProperty(ClassDefiner.DUMP_PROPERTY, old);
        }
    }

    /**
     * Every loop is in javac's shape: entered by a jump to its test, which follows the body. With
     * the test at the end of a straight-line body C2 clones the whole body as the loop head, parses
     * a vector loop twice and runs out of inlining budget (AllocationTest then sees vectors boxed).
     */
    @Test void loopsJumpToTheirTestAfterTheBody() {
        String text = ClassDefiner.text(JvmCompiler.compile(small(), 1024).classBytes()); // 7168 floats: the vector loop too
        List<String> code = text.lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("FRAME") && !l.startsWith("LINENUMBER") && !l.startsWith("MAXSTACK")
                        && !l.startsWith("MAXLOCALS") && !l.startsWith("LOCALVARIABLE"))
                .toList();
        int loops = 0;
        for (int i = 0; i < code.size(); i++) {
            if (!code.get(i).startsWith("IF_ICMPLT ")) continue;
            loops++;
            String top = code.get(i).substring("IF_ICMPLT ".length());
            int body = code.indexOf(top);
            assertTrue(body > 0 && body < i, "backward branch to " + top + ":\n" + text);
            String entry = code.get(body - 1);
            assertTrue(entry.startsWith("GOTO "), "loop at " + top + " is entered by " + entry + ", not a jump to its test:\n" + text);
            int test = code.indexOf(entry.substring("GOTO ".length()));
            assertTrue(test > body && i - test <= 3, "loop at " + top + ": its test is not the few instructions before the branch:\n" + text);
        }
        assertTrue(loops >= 2, "an elementwise loop and its vector form:\n" + text);
    }

    @Test void refusesLayerOpsAtCompileTimeNamingThem() {
        Graph g = new Graph("layered");
        Value x = g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(List.of(7))));
        g.output("y", g.add(new Op.Dropout(0.5), x));
        var e = assertThrows(DlmException.class, () -> JvmCompiler.compile(g, 2));
        assertTrue(e.getMessage().contains("'dropout'"), e.getMessage());
    }

    @Test void arenaReusesTheFloatsOfDeadValues() {
        Graph g = new Graph("chain");
        Value v = g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(List.of(64))));
        for (int i = 0; i < 20; i++) v = g.add(new Op.Unary(Op.UnaryFn.TANH, 0), v);
        g.output("y", v);
        CompiledGraph cg = JvmCompiler.compile(g, 4);
        // 21 values of 256 floats, but at most an input and an output are live at once (+ one in flight)
        assertTrue(cg.arenaSize() <= 3 * 256, "arena of " + cg.arenaSize() + " floats");
    }
}
