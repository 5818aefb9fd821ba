package dlm.frontend;

import java.util.List;
import java.util.stream.Collectors;

import dlm.ir.DType;
import dlm.ir.Value;

/**
 * What an expression evaluates to. Tensors live in the IR graph; everything else is known at
 * compile time and disappears once the graph is built.
 */
sealed interface Val {

    /** A tensor: an SSA value of the model's graph. */
    record Tensor(Value value) implements Val {}

    /** Numbers are doubles; an integer is a number without a fraction. */
    record Num(double value) implements Val {
        boolean isInt() { return value == Math.rint(value) && Math.abs(value) < Integer.MAX_VALUE; }
        int intValue() { return (int) value; }
    }

    record Bool(boolean value) implements Val {}

    /**
     * A bare word that names no binding: {@code same}, {@code relu}, {@code channel}. Its
     * position lets a misspelt variable name still be reported as an undefined name.
     */
    record Sym(String name, Pos pos) implements Val {}

    record ListVal(List<Val> items) implements Val {
        public ListVal { items = List.copyOf(items); }
    }

    /** How a value is shown in a diagnostic: as the user would write it. */
    static String show(Val v) {
        return switch (v) {
            case Tensor t -> (t.value().dtype() == DType.I32 ? "an i32 tensor " : "a tensor ") + t.value().shape().sampleString();
            case Num n -> num(n.value());
            case Bool b -> Boolean.toString(b.value());
            case Sym s -> s.name();
            case ListVal l -> l.items().stream().map(Val::show).collect(Collectors.joining(", ", "[", "]"));
        };
    }

    static String num(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
        return Double.toString(d);
    }

    /** "a number", "a list", ... for "expected X, got Y" messages. */
    static String kind(Val v) {
        return switch (v) {
            case Tensor t -> "a tensor";
            case Num n -> "a number";
            case Bool b -> "a boolean";
            case Sym s -> "a symbol";
            case ListVal l -> "a list";
        };
    }
}
