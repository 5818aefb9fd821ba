package dlm.ir.text;

import java.util.ArrayList;
import java.util.List;

/** Tokens of the textual IR. Newlines are insignificant; '#' starts a comment to the end of the line. */
final class Lexer {
    enum Kind { NAME, VALUE, NUMBER, STRING, PUNCT, EOF }

    record Token(Kind kind, String text, int line, int column) {
        boolean is(String punct) { return kind == Kind.PUNCT && text.equals(punct); }
        String describe() {
            return switch (kind) {
                case EOF -> "end of input";
                case STRING -> "string \"" + text + "\"";
                default -> "'" + text + "'";
            };
        }
    }

    private final String src;
    private int pos, line = 1, col = 1;

    private Lexer(String src) { this.src = src; }

    static List<Token> tokens(String src) {
        Lexer lx = new Lexer(src);
        List<Token> out = new ArrayList<>();
        Token t;
        do { t = lx.next(); out.add(t); } while (t.kind() != Kind.EOF);
        return out;
    }

    static boolean nameStart(char c) { return Character.isLetter(c) || c == '_'; }
    static boolean namePart(char c) { return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '*'; }

    private char peek(int ahead) { return pos + ahead < src.length() ? src.charAt(pos + ahead) : '\0'; }

    private char advance() {
        char c = src.charAt(pos++);
        if (c == '\n') { line++; col = 1; } else col++;
        return c;
    }

    private Token next() {
        while (pos < src.length()) {
            char c = peek(0);
            if (c == '#') { while (pos < src.length() && peek(0) != '\n') advance(); }
            else if (Character.isWhitespace(c)) advance();
            else break;
        }
        int l = line, c0 = col;
        if (pos >= src.length()) return new Token(Kind.EOF, "", l, c0);
        char c = peek(0);
        int start = pos;
        if (c == '%') {
            advance();
            while (Character.isLetterOrDigit(peek(0)) || peek(0) == '_') advance();
            if (pos - start == 1) throw new IrParseException(l, c0, "expected a value name after '%'");
            return new Token(Kind.VALUE, src.substring(start, pos), l, c0);
        }
        if (Character.isDigit(c) || (c == '-' && (Character.isDigit(peek(1)) || peek(1) == 'I' || peek(1) == 'N'))) {
            if (c == '-') advance();
            if (nameStart(peek(0))) {               // -Infinity, -NaN
                while (namePart(peek(0))) advance();
            } else {
                while (Character.isDigit(peek(0))) advance();
                if (peek(0) == '.' && Character.isDigit(peek(1))) { advance(); while (Character.isDigit(peek(0))) advance(); }
                if (peek(0) == 'e' || peek(0) == 'E') {
                    advance();
                    if (peek(0) == '+' || peek(0) == '-') advance();
                    if (!Character.isDigit(peek(0))) throw new IrParseException(line, col, "expected the digits of an exponent");
                    while (Character.isDigit(peek(0))) advance();
                }
            }
            return new Token(Kind.NUMBER, src.substring(start, pos), l, c0);
        }
        if (nameStart(c)) {
            while (namePart(peek(0))) advance();
            return new Token(Kind.NAME, src.substring(start, pos), l, c0);
        }
        if (c == '"') return string(l, c0);
        if ("(){}[]=,:".indexOf(c) >= 0) { advance(); return new Token(Kind.PUNCT, String.valueOf(c), l, c0); }
        throw new IrParseException(l, c0, "unexpected character '" + c + "'");
    }

    private Token string(int l, int c0) {
        advance();
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= src.length() || peek(0) == '\n') throw new IrParseException(l, c0, "unterminated string");
            char c = advance();
            if (c == '"') break;
            if (c != '\\') { sb.append(c); continue; }
            if (pos >= src.length()) throw new IrParseException(l, c0, "unterminated string");
            char e = advance();
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case 'u' -> {
                    if (pos + 4 > src.length()) throw new IrParseException(line, col, "expected four hex digits after \\u");
                    String hex = src.substring(pos, pos + 4);
                    try { sb.append((char) Integer.parseInt(hex, 16)); }
                    catch (NumberFormatException ex) { throw new IrParseException(line, col, "expected four hex digits after \\u, got " + hex); }
                    for (int i = 0; i < 4; i++) advance();
                }
                default -> throw new IrParseException(line, col - 1, "unknown escape \\" + e);
            }
        }
        return new Token(Kind.STRING, sb.toString(), l, c0);
    }

    /** The string as a quoted literal that this lexer reads back to the same string. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> { if (c < 0x20 || c == 0x7f) sb.append(String.format("\\u%04x", (int) c)); else sb.append(c); }
            }
        }
        return sb.append('"').toString();
    }

    /** A bare name when it reads back as one NAME token, else a quoted string. */
    static String nameOrQuoted(String s) {
        boolean bare = !s.isEmpty() && nameStart(s.charAt(0)) && s.chars().allMatch(ch -> namePart((char) ch));
        return bare ? s : quote(s);
    }
}
