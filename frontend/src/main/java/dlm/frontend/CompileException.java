package dlm.frontend;

import java.util.List;

/**
 * The user's program is wrong. Carries every diagnostic found; its message is the rendered
 * text (header, source line, caret for each), ready to print without a stack trace.
 */
public final class CompileException extends Exception {
    private final List<Diagnostic> diagnostics;
    private final String rendered;

    public CompileException(Source source, List<Diagnostic> diagnostics) {
        super(render(source, diagnostics), null, false, false);
        this.diagnostics = List.copyOf(diagnostics);
        this.rendered = getMessage();
    }

    public List<Diagnostic> diagnostics() { return diagnostics; }

    /** All diagnostics rendered with their source lines. */
    public String rendered() { return rendered; }

    private static String render(Source source, List<Diagnostic> ds) {
        StringBuilder sb = new StringBuilder();
        for (Diagnostic d : ds) sb.append(d.render(source));
        return sb.toString();
    }
}
