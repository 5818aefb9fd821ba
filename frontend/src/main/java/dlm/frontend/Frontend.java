package dlm.frontend;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dlm.ir.Graph;

/**
 * The frontend's entry point: .dlm text to one IR graph per model. User mistakes come back as
 * a {@link CompileException} listing located diagnostics, never as a stack trace.
 */
public final class Frontend {
    private Frontend() {}

    public static CompiledSource compile(Path file) throws IOException, CompileException {
        return compile(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
    }

    public static CompiledSource compile(String fileName, String text) throws CompileException {
        Source source = new Source(fileName, text);
        List<Diagnostic> diagnostics = new ArrayList<>();
        Ast.File file;
        try {
            file = SourceParser.parse(source);
        } catch (DlmError e) {
            throw new CompileException(source, List.of(diagnostic(source, e)));
        }
        List<DlmError> errors = new ArrayList<>();
        Map<String, Ast.Def> defs = DefChecks.check(file, errors);
        errors.forEach(e -> diagnostics.add(diagnostic(source, e)));
        if (!diagnostics.isEmpty()) throw new CompileException(source, diagnostics);

        // Each model stops at its first error; the others are still checked.
        List<Graph> graphs = new ArrayList<>();
        for (Ast.Decl d : file.decls()) {
            if (!(d instanceof Ast.Model m)) continue;
            try {
                graphs.add(new Lowerer(defs, m).lower());
            } catch (DlmError e) {
                diagnostics.add(diagnostic(source, e));
            }
        }
        if (!diagnostics.isEmpty()) throw new CompileException(source, diagnostics);
        return new CompiledSource(source, graphs);
    }

    private static Diagnostic diagnostic(Source source, DlmError e) {
        return new Diagnostic(source.name(), e.pos.line(), e.pos.col(), e.getMessage());
    }
}
