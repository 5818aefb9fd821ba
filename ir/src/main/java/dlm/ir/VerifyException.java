package dlm.ir;

/** A graph breaks an invariant of the IR; the message names the node. */
public class VerifyException extends IllegalArgumentException {
    public VerifyException(String message) { super(message); }
}
