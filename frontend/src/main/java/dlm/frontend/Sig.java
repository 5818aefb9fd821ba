package dlm.frontend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The parameters of a built-in op, written compactly as
 * {@code "x:tensor filters:int stride:int=1 pad:pad=valid mode:sym(nearest|bilinear)=nearest axis:axes?"}:
 * {@code =v} gives a default, {@code ?} makes a parameter optional without one, a leading
 * {@code *} takes all remaining positional arguments. Layers also take {@code name=}.
 */
record Sig(String op, List<P> params, boolean layer) {

    enum Kind { TENSOR, IDS, ANY_TENSOR, INT, NUM, BOOL, SYM, PAD, AXIS, INTS, AXES, ACT }

    /** One parameter; {@code dflt} is null when the parameter is required or optional without default. */
    record P(String name, Kind kind, List<String> choices, Val dflt, boolean optional, boolean variadic) {}

    /** Activation names accepted by {@code activation=}. */
    static final List<String> ACTIVATIONS = List.of("none", "linear", "relu", "sigmoid", "tanh", "gelu", "leaky_relu", "exp", "log", "sqrt", "softmax");

    static Sig parse(String op, String spec, boolean layer) {
        List<P> ps = new ArrayList<>();
        for (String item : spec.trim().split("\\s+")) {
            if (item.isEmpty()) continue;
            boolean variadic = item.startsWith("*");
            if (variadic) item = item.substring(1);
            boolean optional = item.endsWith("?");
            if (optional) item = item.substring(0, item.length() - 1);
            String dflt = null;
            int eq = item.indexOf('=');
            if (eq >= 0) { dflt = item.substring(eq + 1); item = item.substring(0, eq); }
            String name = item.substring(0, item.indexOf(':'));
            String type = item.substring(item.indexOf(':') + 1);
            List<String> choices = List.of();
            if (type.contains("(")) {
                choices = Arrays.asList(type.substring(type.indexOf('(') + 1, type.length() - 1).split("\\|"));
                type = type.substring(0, type.indexOf('('));
            }
            if (type.equals("act")) choices = ACTIVATIONS;
            ps.add(new P(name, Kind.valueOf(type.toUpperCase().replace("ANYTENSOR", "ANY_TENSOR")), choices,
                    dflt == null ? null : literal(dflt), optional || dflt != null, variadic));
        }
        return new Sig(op, ps, layer);
    }

    private static Val literal(String s) {
        if (s.equals("true") || s.equals("false")) return new Val.Bool(s.equals("true"));
        if (Character.isDigit(s.charAt(0)) || s.charAt(0) == '-') return new Val.Num(Double.parseDouble(s));
        return new Val.Sym(s, null);
    }

    P param(String name) {
        return params.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
    }

    List<String> names() {
        List<String> n = new ArrayList<>(params.stream().map(P::name).toList());
        if (layer) n.add("name");
        return n;
    }

    /** {@code conv2d(x, filters, kernel, stride=1, ...)}: how the op is called, for messages. */
    String usage() {
        List<String> parts = new ArrayList<>();
        for (P p : params) {
            if (p.variadic()) parts.add(p.name() + "...");
            else if (!p.optional()) parts.add(p.name());
            else parts.add(p.name() + "=" + (p.dflt() == null ? "?" : Val.show(p.dflt())));
        }
        if (layer) parts.add("name=?");
        return op + "(" + String.join(", ", parts) + ")";
    }

    /** What a parameter of this kind accepts, for "expects X as ..." messages. */
    static String describe(P p, Val got) {
        return switch (p.kind()) {
            case TENSOR -> got instanceof Val.Tensor ? "a float tensor" : "a tensor";
            case IDS -> "an i32 tensor";
            case ANY_TENSOR -> "a tensor";
            case INT -> got instanceof Val.Num ? "an integer" : "a number";
            case NUM -> "a number";
            case BOOL -> "true or false";
            case SYM -> "one of " + String.join(", ", p.choices());
            case PAD -> "valid, same or a number";
            case AXIS -> "an axis number or channel";
            case INTS -> "a list of integers";
            case AXES -> "an axis number or a list of them";
            case ACT -> "an elementwise op name (relu, sigmoid, tanh, ...)";
        };
    }

    /** Whether a value fits a parameter's kind. */
    static boolean accepts(P p, Val v) {
        return switch (p.kind()) {
            case TENSOR -> v instanceof Val.Tensor t && t.value().dtype() == dlm.ir.DType.F32;
            case IDS -> v instanceof Val.Tensor t && t.value().dtype() == dlm.ir.DType.I32;
            case ANY_TENSOR -> v instanceof Val.Tensor;
            case INT -> v instanceof Val.Num n && n.isInt();
            case NUM -> v instanceof Val.Num;
            case BOOL -> v instanceof Val.Bool;
            case SYM, ACT -> v instanceof Val.Sym s && p.choices().contains(s.name());
            case PAD -> v instanceof Val.Sym s ? s.name().equals("valid") || s.name().equals("same")
                    : v instanceof Val.Num n && n.isInt() && n.value() >= 0;
            case AXIS -> v instanceof Val.Sym s ? s.name().equals("channel") : v instanceof Val.Num n && n.isInt();
            case INTS -> v instanceof Val.ListVal l && l.items().stream().allMatch(i -> i instanceof Val.Num n && n.isInt());
            case AXES -> v instanceof Val.Num n ? n.isInt()
                    : v instanceof Val.ListVal l && l.items().stream().allMatch(i -> i instanceof Val.Num n && n.isInt());
        };
    }

    /** Whether a bare word could be meant for this parameter (else it is reported as an undefined name). */
    static boolean takesWords(P p) {
        return switch (p.kind()) {
            case SYM, ACT, PAD, AXIS -> true;
            default -> false;
        };
    }
}
