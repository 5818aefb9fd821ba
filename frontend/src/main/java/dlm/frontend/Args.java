package dlm.frontend;

import java.util.List;
import java.util.Map;

import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.Value;

/**
 * The arguments of one call of a built-in op, bound to its {@link Sig} and already checked
 * against each parameter's kind, with what an op needs to emit its nodes.
 */
final class Args {
    final Sig sig;
    final Pos pos;
    final Emitter em;
    private final Map<String, Val> values;
    private final Map<String, Pos> positions;
    final List<Val> rest;
    private final String prefix;
    private final String explicitName;
    private final Pos namePos;

    Args(Sig sig, Pos pos, Emitter em, Map<String, Val> values, Map<String, Pos> positions, List<Val> rest,
         String prefix, String explicitName, Pos namePos) {
        this.sig = sig;
        this.pos = pos;
        this.em = em;
        this.values = values;
        this.positions = positions;
        this.rest = rest;
        this.prefix = prefix;
        this.explicitName = explicitName;
        this.namePos = namePos;
    }

    String op() { return sig.op(); }

    boolean has(String p) { return values.containsKey(p); }
    Val val(String p) { return values.get(p); }
    Pos pos(String p) { return positions.getOrDefault(p, pos); }

    Value tensor(String p) { return ((Val.Tensor) values.get(p)).value(); }
    double number(String p) { return ((Val.Num) values.get(p)).value(); }
    int integer(String p) { return ((Val.Num) values.get(p)).intValue(); }
    boolean bool(String p) { return ((Val.Bool) values.get(p)).value(); }
    /** A symbol argument, or null when it was not given and has no default. */
    String sym(String p) { return values.get(p) instanceof Val.Sym s ? s.name() : null; }

    /** An integer that must be at least {@code min}. */
    int atLeast(String p, int min) {
        int v = integer(p);
        if (v < min) throw errorAt(p, op() + " expects " + p + " to be at least " + min + ", got " + v);
        return v;
    }

    DlmError error(String message) { return new DlmError(pos, message); }
    DlmError errorAt(String p, String message) { return new DlmError(pos(p), message); }

    /** Adds a node; shape errors point at this call. */
    Value add(Op op, Value... inputs) { return em.add(pos, op(), op, inputs); }

    /** Names this layer (from {@code name=} or by counting) and checks the name is new. */
    String layerName() { return em.layerName(prefix, op(), explicitName, explicitName != null ? namePos : pos); }

    /** Sample shape as the user writes it, for messages. */
    static String shape(Value v) { return v.shape().sampleString(); }

    /** Sample rank: the number of dimensions besides the batch. */
    static int sampleRank(Value v) { return v.shape().sample().size(); }

    /** A language axis (sample axes, negative from the end) as an absolute IR axis. */
    int axis(Value x, int axis, String p) {
        Shape s = x.shape();
        int r = s.sample().size();
        int a = axis < 0 ? axis + r : axis;
        if (a < 0 || a >= r) throw errorAt(p, op() + ": axis " + axis + " is out of range for " + s.sampleString());
        return s.hasBatch() ? a + 1 : a;
    }
}
