package dlm.api;

import dlm.frontend.CompileException;
import dlm.frontend.Frontend;
import dlm.runtime.DlmException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Entry point for programs that embed dlm: compile .dlm source at run time, then build a
 * model and call it.
 *
 * <pre>{@code
 * Program p = Dlm.compile(Path.of("examples/xor.dlm"));
 * try (CompiledModel m = p.build(null, Backend.INTERP, 0)) {
 *     Map<String, Tensor> out = m.predict(Map.of("x", Tensor.of(new float[]{0, 1}, 1, 2)));
 * }
 * }</pre>
 *
 * Errors in the source raise {@link DlmException} whose message holds every diagnostic
 * (file:line:col, the line, a caret).
 */
public final class Dlm {
    private Dlm() {}

    public static Program compile(Path file) {
        if (Files.isDirectory(file)) throw new DlmException(file + ": is a directory, not a .dlm file");
        if (!Files.isRegularFile(file)) throw new DlmException(file + ": no such file");
        try {
            return new Program(file.toString(), Frontend.compile(file).models());
        } catch (CompileException e) {
            throw new DlmException(e.rendered());
        } catch (java.nio.charset.CharacterCodingException e) {
            // the decoder's own message is only "Input length = 1"
            throw new DlmException(file + ": not UTF-8 text; a .dlm file is a UTF-8 text file");
        } catch (java.io.IOException e) {
            throw new DlmException(file + ": cannot read: " + e.getMessage());
        }
    }

    public static Program compile(String fileName, String source) {
        try {
            return new Program(fileName, Frontend.compile(fileName, source).models());
        } catch (CompileException e) {
            throw new DlmException(e.rendered());
        }
    }
}
