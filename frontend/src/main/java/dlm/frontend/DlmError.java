package dlm.frontend;

/**
 * Thrown inside the frontend at the first error of a model; caught at the model's boundary
 * and turned into a {@link Diagnostic}. Never escapes {@link Frontend}.
 */
final class DlmError extends RuntimeException {
    final Pos pos;

    DlmError(Pos pos, String message) {
        super(message, null, false, false);
        this.pos = pos;
    }
}
