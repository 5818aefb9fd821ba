package dlm.runtime;

/**
 * A user-facing error: bad input data, a missing column, a mis-shaped checkpoint.
 * The CLI prints its message as a single line and exits with status 2, so the message
 * must stand on its own (name the file, the position, what was expected and what was found).
 */
public class DlmException extends RuntimeException {
    public DlmException(String message) {
        super(message);
    }

    public DlmException(String message, Throwable cause) {
        super(message, cause);
    }
}
