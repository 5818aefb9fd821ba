package dlm.passes;

/**
 * A pass option given on the command line (a {@code -Ddlm.*} system property) has a value the
 * pass does not know: a user's mistake, reported as one line, not a stack trace.
 */
public final class PassOptionException extends IllegalArgumentException {
    public PassOptionException(String message) { super(message); }
}
