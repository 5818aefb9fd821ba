package dlm.frontend;

import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;

/** Text to syntax tree; throws {@link DlmError} at the first syntax error. */
final class SourceParser {
    private SourceParser() {}

    static Ast.File parse(Source source) {
        DlmLexer lexer = new DlmLexer(CharStreams.fromString(source.text(), source.name()));
        lexer.removeErrorListeners();   // BAD tokens carry lexical errors to the parser
        DlmParser parser = new DlmParser(new CommonTokenStream(lexer));
        parser.removeErrorListeners();
        parser.setErrorHandler(new SyntaxErrors(source));
        return new AstBuilder().file(parser.file());
    }
}
