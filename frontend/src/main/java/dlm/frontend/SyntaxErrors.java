package dlm.frontend;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Turns ANTLR's syntax errors into "expected X, got Y" diagnostics and stops at the first
 * one: what follows a syntax error is mostly noise. Nothing is printed to the console.
 */
final class SyntaxErrors extends DefaultErrorStrategy {
    private static final Set<Integer> EXPRESSION_START = Set.of(
            DlmParser.ID, DlmParser.NUMBER, DlmParser.TRUE, DlmParser.FALSE,
            DlmParser.LPAREN, DlmParser.LBRACK, DlmParser.MINUS);
    private static final Set<Integer> STATEMENT_START = Set.of(
            DlmParser.INPUT, DlmParser.OUTPUT, DlmParser.FOR, DlmParser.IF,
            DlmParser.TRAIN, DlmParser.RETURN, DlmParser.ID);

    private final Source source;

    SyntaxErrors(Source source) { this.source = source; }

    @Override public void reportError(Parser recognizer, RecognitionException e) {
        Token t = e.getOffendingToken() != null ? e.getOffendingToken() : recognizer.getCurrentToken();
        IntervalSet expected = e instanceof NoViableAltException || e instanceof InputMismatchException
                ? e.getExpectedTokens() : recognizer.getExpectedTokens();
        throw error(t, expected);
    }

    @Override protected void reportUnwantedToken(Parser recognizer) {
        throw error(recognizer.getCurrentToken(), recognizer.getExpectedTokens());
    }

    @Override protected void reportMissingToken(Parser recognizer) {
        throw error(recognizer.getCurrentToken(), recognizer.getExpectedTokens());
    }

    @Override public Token recoverInline(Parser recognizer) {
        throw error(recognizer.getCurrentToken(), recognizer.getExpectedTokens());
    }

    private DlmError error(Token t, IntervalSet expected) {
        Pos pos = position(t);
        if (t.getType() == DlmParser.BAD) return new DlmError(pos, "unexpected character '" + t.getText() + "'");
        return new DlmError(pos, "expected " + describe(expected) + ", got " + describe(t));
    }

    /** End of file is reported at the end of the last non-blank line, where the source can be shown. */
    private Pos position(Token t) {
        if (t.getType() != Token.EOF) return new Pos(t.getLine(), t.getCharPositionInLine() + 1);
        List<String> lines = source.lines();
        for (int i = lines.size() - 1; i >= 0; i--)
            if (!lines.get(i).isBlank()) return new Pos(i + 1, lines.get(i).length() + 1);
        return new Pos(1, 1);
    }

    static String describe(Token t) {
        return t.getType() == Token.EOF ? "end of file" : "'" + t.getText() + "'";
    }

    /** Names the expected tokens, folding the many starts of an expression or a statement. */
    static String describe(IntervalSet set) {
        List<Integer> types = new ArrayList<>(set.toList());
        List<String> parts = new ArrayList<>();
        if (types.containsAll(STATEMENT_START)) {
            parts.add("a statement");
            types.removeAll(STATEMENT_START);
        }
        if (types.containsAll(EXPRESSION_START)) {
            parts.add("an expression");
            types.removeAll(EXPRESSION_START);
        }
        for (int type : types) parts.add(tokenName(type));
        if (parts.isEmpty()) return "nothing";
        if (parts.size() == 1) return parts.get(0);
        return String.join(", ", parts.subList(0, parts.size() - 1)) + " or " + parts.get(parts.size() - 1);
    }

    static String tokenName(int type) {
        return switch (type) {
            case Token.EOF -> "end of file";
            case DlmParser.ID -> "a name";
            case DlmParser.NUMBER -> "a number";
            default -> {
                String lit = DlmParser.VOCABULARY.getLiteralName(type);
                yield lit != null ? lit : DlmParser.VOCABULARY.getDisplayName(type);
            }
        };
    }
}
