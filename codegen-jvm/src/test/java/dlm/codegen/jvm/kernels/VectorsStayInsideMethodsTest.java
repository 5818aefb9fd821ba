package dlm.codegen.jvm.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * No method of the runtime kernels takes or returns a vector, a mask or a shuffle.
 *
 * <p>C2 inlines the Vector API's own methods almost always, but a method of ours only while the
 * compilation it lands in is under its inlining budget, and what that compilation holds depends
 * on what was compiled before. A call left out whose argument or result is a vector turns the
 * vector into an object, allocated on every call: a warmed-up step then allocates (seen: 3.6 KB
 * per lenet5 batch-1 prediction, 690 KB per lenet5 b16 training step) in some runs and not in
 * others. Vectors therefore stay inside the method that makes them; lanes leave through arrays.
 * Generated code keeps to it by construction (every generated method has one of a few fixed
 * descriptors).
 */
class VectorsStayInsideMethodsTest {
    private static final String VECTOR_PACKAGE = "Ljdk/incubator/vector/";

    @Test
    void noKernelMethodTakesOrReturnsAVector() throws Exception {
        Path classes = Path.of(LaneSum.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> offenders = new ArrayList<>();
        int[] vectorMethods = {0};
        for (String pkg : new String[]{"dlm/codegen/jvm/kernels", "dlm/codegen/jvm/rt"}) {
            try (Stream<Path> files = Files.list(classes.resolve(pkg))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    scan(f, offenders, vectorMethods);
                }
            }
        }
        // not vacuous: the scan saw the kernels that do use vectors
        assertTrue(vectorMethods[0] >= 10, "methods using FloatVector found: " + vectorMethods[0]);
        assertEquals(List.of(), offenders, "methods with a vector in their signature");
    }

    private static void scan(Path classFile, List<String> offenders, int[] vectorMethods) throws IOException {
        try (InputStream in = Files.newInputStream(classFile)) {
            new ClassReader(in).accept(new ClassVisitor(Opcodes.ASM9) {
                private String owner;

                @Override
                public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                    owner = name;
                }

                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                    if (descriptor.contains(VECTOR_PACKAGE)) {
                        offenders.add(owner + "." + name + descriptor);
                    }
                    return new MethodVisitor(Opcodes.ASM9) {
                        private boolean counted;

                        @Override
                        public void visitMethodInsn(int opcode, String calleeOwner, String callee, String desc, boolean itf) {
                            if (!counted && calleeOwner.equals("jdk/incubator/vector/FloatVector")) {
                                counted = true;
                                vectorMethods[0]++;
                            }
                        }
                    };
                }
            }, ClassReader.SKIP_DEBUG);
        }
    }
}
