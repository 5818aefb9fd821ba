package dlm.ir.text;

import dlm.ir.DType;
import dlm.ir.Graph;
import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.ShapeException;
import dlm.ir.TrainSpec;
import dlm.ir.Type;
import dlm.ir.Value;
import dlm.ir.text.Lexer.Kind;
import dlm.ir.text.Lexer.Token;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the textual IR written by {@link IrPrinter}. A non-leaf node's {@code : type} may be
 * left out (it is inferred); when given it must equal the type the op infers. Attributes may
 * come in any order but all must be given. Errors are {@link IrParseException}s with
 * line:column and what was expected.
 */
public final class IrParser {
    private final List<Token> toks;
    private int at;
    private final Map<String, Value> values = new HashMap<>();
    private Graph g;

    private IrParser(String text) { this.toks = Lexer.tokens(text); }

    public static Graph parse(String text) { return new IrParser(text).graph(); }

    // ------------------------------------------------------------------ token helpers

    private Token peek() { return toks.get(at); }
    private Token peek(int ahead) { return toks.get(Math.min(at + ahead, toks.size() - 1)); }
    private Token take() { return toks.get(at == toks.size() - 1 ? at : at++); }

    private IrParseException error(Token t, String expected) {
        return new IrParseException(t.line(), t.column(), "expected " + expected + ", got " + t.describe());
    }

    private void expect(String punct) {
        Token t = peek();
        if (!t.is(punct)) throw error(t, "'" + punct + "'");
        take();
    }

    private void expectWord(String word) {
        Token t = peek();
        if (t.kind() != Kind.NAME || !t.text().equals(word)) throw error(t, "'" + word + "'");
        take();
    }

    /** A name: bare or quoted. */
    private String name(String what) {
        Token t = peek();
        if (t.kind() != Kind.NAME && t.kind() != Kind.STRING) throw error(t, what);
        return take().text();
    }

    private Value valueRef() {
        Token t = peek();
        if (t.kind() != Kind.VALUE) throw error(t, "a value such as %3");
        take();
        Value v = values.get(t.text());
        if (v == null) throw new IrParseException(t.line(), t.column(), t.text() + " is used before it is defined");
        return v;
    }

    // ------------------------------------------------------------------ grammar

    private Graph graph() {
        expectWord("graph");
        g = new Graph(name("a graph name"));
        expect("{");
        while (true) {
            Token t = peek();
            if (t.is("}")) break;
            if (t.kind() == Kind.VALUE) node();
            else if (t.kind() == Kind.NAME && t.text().equals("output")) { take(); String n = name("an output name"); expect("="); g.output(n, valueRef()); }
            else if (t.kind() == Kind.NAME && t.text().equals("update")) { take(); String n = name("a state name"); expect("="); g.update(n, valueRef()); }
            else if (t.kind() == Kind.NAME && t.text().equals("train")) { take(); g.setTrain(train()); }
            else throw error(t, "a node (%N = ...), 'output', 'update', 'train' or '}'");
        }
        expect("}");
        if (peek().kind() != Kind.EOF) throw error(peek(), "end of input after the graph");
        return g;
    }

    private void node() {
        Token def = take();
        if (values.containsKey(def.text())) throw new IrParseException(def.line(), def.column(), def.text() + " is defined twice");
        expect("=");
        Token opTok = peek();
        String opName = name("an op name");
        Class<?> cls = Records.OPS.get(opName);
        if (cls == null) throw new IrParseException(opTok.line(), opTok.column(), "unknown op '" + opName + "'");
        expect("(");
        List<Value> inputs = new ArrayList<>();
        while (peek().kind() == Kind.VALUE) {
            inputs.add(valueRef());
            if (!peek().is(",")) break;
            take();
        }
        Op op = (Op) record(cls, opName, opTok, ")");
        Token typeTok = peek();
        Type declared = null;
        if (typeTok.is(":")) { take(); typeTok = peek(); declared = type(); }
        Value v;
        if (op instanceof Op.Leaf leaf) {
            if (!inputs.isEmpty()) throw new IrParseException(opTok.line(), opTok.column(), opName + " is a leaf and takes no inputs, got " + inputs.size());
            if (declared == null) throw error(typeTok, "':' and the type of " + opName + " (leaves carry their type)");
            v = g.addLeaf(leaf, declared);
        } else {
            if (op.arity() >= 0 && op.arity() != inputs.size())
                throw new IrParseException(opTok.line(), opTok.column(), opName + " takes " + op.arity() + " inputs, got " + inputs.size());
            Type inferred;
            try {
                inferred = op.infer(inputs.stream().map(Value::type).toList());
            } catch (ShapeException | IndexOutOfBoundsException e) {
                throw new IrParseException(opTok.line(), opTok.column(), opName + ": " + e.getMessage());
            }
            if (declared != null && !declared.equals(inferred))
                throw new IrParseException(typeTok.line(), typeTok.column(), "declared type " + declared + " but " + opName + " infers " + inferred);
            v = g.addTyped(op, inputs, inferred);
        }
        values.put(def.text(), v);
    }

    /**
     * The attributes of a record up to the closing punctuation, "k=v, k=v": every component
     * exactly once, in any order. The opening '(' has been read, and a leading ',' after operands.
     */
    private Object record(Class<?> cls, String what, Token where, String close) {
        Map<String, RecordComponent> byName = new LinkedHashMap<>();
        for (RecordComponent rc : cls.getRecordComponents()) byName.put(Records.attrName(rc), rc);
        Map<String, Object> got = new HashMap<>();
        while (!peek().is(close)) {
            Token k = peek();
            String key = name("an attribute name or '" + close + "'");
            RecordComponent rc = byName.get(key);
            if (rc == null) throw new IrParseException(k.line(), k.column(), what + " has no attribute '" + key + "'; it has " + byName.keySet());
            if (got.containsKey(key)) throw new IrParseException(k.line(), k.column(), "attribute '" + key + "' given twice");
            expect("=");
            got.put(key, attr(rc.getType(), rc));
            if (!peek().is(close)) expect(",");
        }
        Token end = take();
        Object[] args = new Object[byName.size()];
        int i = 0;
        for (Map.Entry<String, RecordComponent> e : byName.entrySet()) {
            if (!got.containsKey(e.getKey())) throw new IrParseException(end.line(), end.column(), what + " needs attribute '" + e.getKey() + "'");
            args[i++] = got.get(e.getKey());
        }
        try {
            return Records.construct(cls, args);
        } catch (IllegalArgumentException e) {
            throw new IrParseException(where.line(), where.column(), what + ": " + e.getMessage());
        }
    }

    private Object attr(Class<?> type, RecordComponent rc) {
        Token t = peek();
        if (type == int.class || type == Integer.class) {
            if (t.kind() != Kind.NUMBER) throw error(t, "an integer");
            try { return Integer.parseInt(take().text()); }
            catch (NumberFormatException e) { throw error(t, "an integer"); }
        }
        if (type == double.class) {
            boolean special = t.kind() == Kind.NAME && (t.text().equals("Infinity") || t.text().equals("NaN"));
            if (t.kind() != Kind.NUMBER && !special) throw error(t, "a number");
            try { return Double.parseDouble(take().text()); }
            catch (NumberFormatException e) { throw error(t, "a number"); }
        }
        if (type == boolean.class) {
            if (t.kind() == Kind.NAME && (t.text().equals("true") || t.text().equals("false"))) return Boolean.parseBoolean(take().text());
            throw error(t, "true or false");
        }
        if (type == String.class) return name("a string");
        if (type.isEnum()) {
            if (t.kind() == Kind.NAME)
                for (Object c : type.getEnumConstants())
                    if (((Enum<?>) c).name().toLowerCase().equals(t.text())) { take(); return c; }
            List<String> names = new ArrayList<>();
            for (Object c : type.getEnumConstants()) names.add(((Enum<?>) c).name().toLowerCase());
            throw error(t, "one of " + names);
        }
        if (type == List.class) {
            Class<?> elem = Records.elementType(rc);
            expect("[");
            List<Object> out = new ArrayList<>();
            while (!peek().is("]")) {
                out.add(attr(elem, null));
                if (!peek().is("]")) expect(",");
            }
            take();
            return out;
        }
        throw new IllegalStateException("unsupported attribute type " + type);
    }

    /** f32[N, 30], i32[N], f32[]. */
    private Type type() {
        Token t = peek();
        DType dt = null;
        if (t.kind() == Kind.NAME) for (DType d : DType.values()) if (d.text().equals(t.text())) dt = d;
        if (dt == null) throw error(t, "a type such as f32[N, 30]");
        take();
        expect("[");
        List<Integer> dims = new ArrayList<>();
        while (!peek().is("]")) {
            Token d = peek();
            if (d.kind() == Kind.NAME && d.text().equals("N")) { take(); dims.add(Shape.BATCH); }
            else if (d.kind() == Kind.NUMBER && d.text().matches("\\d+")) dims.add(Integer.parseInt(take().text()));
            else throw error(d, "a dimension (a size or N)");
            if (!peek().is("]")) expect(",");
        }
        take();
        try {
            return new Type(dt, new Shape(dims));
        } catch (IllegalArgumentException e) {
            throw new IrParseException(t.line(), t.column(), e.getMessage());
        }
    }

    /** key=value pairs of the TrainSpec record up to the closing '}' of the graph. */
    private TrainSpec train() {
        Map<String, RecordComponent> byName = new LinkedHashMap<>();
        for (RecordComponent rc : TrainSpec.class.getRecordComponents()) byName.put(Records.attrName(rc), rc);
        Map<String, Object> got = new HashMap<>();
        while (peek().kind() == Kind.NAME && peek(1).is("=")) {
            Token k = take();
            RecordComponent rc = byName.get(k.text());
            if (rc == null) throw new IrParseException(k.line(), k.column(), "train has no setting '" + k.text() + "'; it has " + byName.keySet());
            take();
            Object v;
            if (rc.getType() == TrainSpec.Optimizer.class) {
                Token o = peek();
                String opt = name("an optimizer");
                Class<?> cls = Records.OPTIMIZERS.get(opt);
                if (cls == null) throw new IrParseException(o.line(), o.column(), "unknown optimizer '" + opt + "', expected one of " + Records.OPTIMIZERS.keySet());
                expect("(");
                v = record(cls, opt, o, ")");
            } else v = attr(rc.getType(), rc);
            got.put(k.text(), v);
        }
        Object[] args = new Object[byName.size()];
        int i = 0;
        for (Map.Entry<String, RecordComponent> e : byName.entrySet())
            args[i++] = got.containsKey(e.getKey()) ? got.get(e.getKey()) : e.getValue().getType() == List.class ? List.of() : null;
        return (TrainSpec) Records.construct(TrainSpec.class, args);
    }
}
