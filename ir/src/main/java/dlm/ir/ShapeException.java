package dlm.ir;

/** A shape rule was violated. The frontend turns it into a located diagnostic. */
public class ShapeException extends RuntimeException {
    public ShapeException(String message) { super(message); }
}
