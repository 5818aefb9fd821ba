package dlm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.codegen.jvm.CompiledGraph;
import dlm.codegen.jvm.JvmModel;
import dlm.runtime.CompiledModel;
import dlm.runtime.DlmException;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

/**
 * {@code close()} releases what a JVM model holds: its compiled graphs, their arenas and the
 * hidden classes generated for them, which the garbage collector can then unload, so that a
 * program compiling many models does not grow; a closed model refuses to run.
 */
class CloseReleasesClassesTest {
    static final String SOURCE = """
            model m {
              input x: [3]
              output y = x -> dense(5, activation=relu) -> dense(2)
            }
            """;

    @Test
    void aClosedModelsGeneratedClassCanBeUnloaded() throws Exception {
        CompiledModel m = Dlm.compile("m.dlm", SOURCE).build(null, BuildOptions.defaults().withBackend(Backend.JVM));
        float[] y = m.predict(new float[]{1, 2, 3});
        assertEquals(2, y.length);
        CompiledGraph g = ((JvmModel) m).compiled("infer", 1);
        Field step = CompiledGraph.class.getDeclaredField("step");
        step.setAccessible(true);
        Class<?> generated = step.get(g).getClass();
        assertTrue(generated.isHidden(), generated + " is a hidden class");
        WeakReference<Object> graph = new WeakReference<>(g);
        WeakReference<Class<?>> cls = new WeakReference<>(generated);
        g = null;
        generated = null;

        m.close();
        for (int i = 0; i < 50 && (graph.get() != null || cls.get() != null); i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(null, graph.get(), "the compiled graph is released");
        assertEquals(null, cls.get(), "the generated class is unloaded");
        DlmException e = assertThrows(DlmException.class, () -> m.predict(new float[]{1, 2, 3}));
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
