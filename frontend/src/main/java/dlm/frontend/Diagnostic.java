package dlm.frontend;

/** One user-facing error: where it is and what was expected. */
public record Diagnostic(String file, int line, int col, String message) {

    /** {@code file:line:col: message}, without the source excerpt. */
    public String header() { return file + ":" + line + ":" + col + ": " + message; }

    /**
     * The header, the offending source line, and a caret under the column. Tabs before the
     * column are kept in the caret line so that the caret lines up in any tab width.
     */
    public String render(Source source) {
        StringBuilder sb = new StringBuilder(header()).append('\n');
        String text = source.line(line);
        if (text == null) return sb.toString();
        sb.append(text).append('\n');
        for (int i = 0; i < col - 1; i++) sb.append(i < text.length() && text.charAt(i) == '\t' ? '\t' : ' ');
        return sb.append("^\n").toString();
    }
}
