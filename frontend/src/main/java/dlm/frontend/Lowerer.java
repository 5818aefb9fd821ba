package dlm.frontend;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dlm.ir.DType;
import dlm.ir.Graph;
import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.Type;
import dlm.ir.Value;

/**
 * Evaluates one model's statements and builds its graph: compile-time values are computed
 * here (arithmetic, loops, conditions, def calls are inlined), tensors become IR nodes.
 */
final class Lowerer {
    private final Map<String, Ast.Def> defs;
    private final Ast.Model model;
    private final Emitter em;

    /** The bindings of the model body or of one def call, and the name prefix of its layers. */
    static final class Frame {
        final Map<String, Val> vars = new LinkedHashMap<>();
        final String prefix;
        final Ast.Def def;
        Frame(String prefix, Ast.Def def) { this.prefix = prefix; this.def = def; }
    }

    Lowerer(Map<String, Ast.Def> defs, Ast.Model model) {
        this.defs = defs;
        this.model = model;
        this.em = new Emitter(model.name());
    }

    Graph lower() {
        Frame top = new Frame("", null);
        Ast.Train train = null;
        for (Ast.Stmt s : model.body()) {
            if (s instanceof Ast.Train t) {
                if (train != null) throw new DlmError(t.pos(), "a model has one train block; the first is at line " + train.pos().line());
                train = t;
            } else exec(s, top);
        }
        if (em.graph.outputs().isEmpty()) throw new DlmError(model.pos(), "model " + model.name() + " has no output; mark one with 'output NAME'");
        // The train block is read last so that it sees every binding and output of the model.
        if (train != null) new TrainLowering(this, em, top).lower(train);
        return em.graph;
    }

    // ------------------------------------------------------------------ statements

    void exec(Ast.Stmt s, Frame f) {
        switch (s) {
            case Ast.Input in -> input(in, f);
            case Ast.Output out -> output(out, f);
            case Ast.Bind b -> f.vars.put(b.name(), eval(b.value(), f));
            case Ast.For loop -> {
                Val over = eval(loop.over(), f);
                if (!(over instanceof Val.ListVal list))
                    throw new DlmError(loop.over().pos(), "for needs a list or a range, got " + Val.show(over));
                for (Val item : list.items()) {
                    f.vars.put(loop.var(), item);
                    for (Ast.Stmt b : loop.body()) exec(b, f);
                }
            }
            case Ast.If cond -> {
                boolean c = condition(cond.cond(), f);
                for (Ast.Stmt b : c ? cond.then() : cond.otherwise()) exec(b, f);
            }
            case Ast.Train t -> throw new DlmError(t.pos(), f.def != null
                    ? "train is only allowed in a model, not in def " + f.def.name()
                    : "train must be at the top level of a model, not inside for or if");
            case Ast.Return r -> throw new DlmError(r.pos(), f.def == null
                    ? "return is only allowed at the end of a def"
                    : "return must be the last statement of def " + f.def.name());
        }
    }

    private void input(Ast.Input in, Frame f) {
        if (f.def != null) throw new DlmError(in.pos(), "input is only allowed in a model, not in def " + f.def.name());
        if (f.vars.containsKey(in.name())) throw new DlmError(in.pos(), "'" + in.name() + "' is already bound; an input needs a new name");
        Type t = tensorType(in.type(), f, "input");
        Value v = em.graph.addLeaf(new Op.Input(in.name()), t);
        f.vars.put(in.name(), new Val.Tensor(v));
    }

    /** {@code [30]} or {@code i32[10]}: sample dimensions, batched. */
    Type tensorType(Ast.TypeSpec spec, Frame f, String what) {
        if (!(spec instanceof Ast.TensorType tt))
            throw new DlmError(spec.pos(), what + " needs a shape like [3, 32, 32]; class(N) is only for targets");
        DType dtype = DType.F32;
        if (tt.dtype() != null) {
            switch (tt.dtype()) {
                case "f32" -> dtype = DType.F32;
                case "i32" -> dtype = DType.I32;
                default -> throw new DlmError(tt.pos(), "unknown element type '" + tt.dtype() + "'; expected f32 or i32");
            }
        }
        List<Integer> dims = new ArrayList<>();
        for (Ast.Expr e : tt.dims()) {
            Val v = eval(e, f);
            if (!(v instanceof Val.Num n) || !n.isInt() || n.value() < 1)
                throw new DlmError(e.pos(), "a dimension must be a positive integer, got " + Val.show(v));
            dims.add(n.intValue());
        }
        return new Type(dtype, Shape.batched(dims));
    }

    private void output(Ast.Output out, Frame f) {
        if (f.def != null) throw new DlmError(out.pos(), "output is only allowed in a model, not in def " + f.def.name());
        if (out.name().equals(Graph.LOSS)) throw new DlmError(out.pos(), "the output name 'loss' is reserved for the training loss");
        if (em.graph.outputs().containsKey(out.name())) throw new DlmError(out.pos(), "output '" + out.name() + "' is already declared");
        Val v = out.value() != null ? eval(out.value(), f) : lookup(out.name(), out.pos(), f);
        if (!(v instanceof Val.Tensor t)) throw new DlmError(out.pos(), "output " + out.name() + " must be a tensor, got " + Val.show(v));
        f.vars.put(out.name(), v);
        em.graph.output(out.name(), t.value());
    }

    private boolean condition(Ast.Expr e, Frame f) {
        Val v = eval(e, f);
        return switch (v) {
            case Val.Bool b -> b.value();
            case Val.Tensor t -> throw new DlmError(e.pos(), "if needs a condition known at compile time, got " + Val.show(v));
            case Val.Sym s -> throw undefined(s.name(), s.pos(), f);
            default -> throw new DlmError(e.pos(), "if needs true or false, got " + Val.show(v));
        };
    }

    // ------------------------------------------------------------------ expressions

    Val eval(Ast.Expr e, Frame f) { return eval(e, f, false); }

    /**
     * Evaluates an expression. With {@code words}, a name that is not bound is a symbol
     * ({@code pad=same}); that is the case inside call arguments only.
     */
    Val eval(Ast.Expr e, Frame f, boolean words) {
        return switch (e) {
            case Ast.Num n -> new Val.Num(n.value());
            case Ast.Bool b -> new Val.Bool(b.value());
            case Ast.Name n -> {
                Val v = f.vars.get(n.name());
                if (v != null) yield v;
                if (words) yield new Val.Sym(n.name(), n.pos());
                throw undefined(n.name(), n.pos(), f);
            }
            case Ast.ListLit l -> new Val.ListVal(l.items().stream().map(x -> eval(x, f, words)).toList());
            case Ast.Range r -> range(r, f);
            case Ast.Unary u -> negate(u, eval(u.operand(), f), f);
            case Ast.Binary b -> binary(b, eval(b.left(), f), eval(b.right(), f), f);
            case Ast.Call c -> call(c, f);
        };
    }

    Val lookup(String name, Pos pos, Frame f) {
        Val v = f.vars.get(name);
        if (v == null) throw undefined(name, pos, f);
        return v;
    }

    DlmError undefined(String name, Pos pos, Frame f) {
        if (Builtins.get(name) != null || defs.containsKey(name))
            return new DlmError(pos, "'" + name + "' is an op; call it, as in x -> " + name + " or " + name + "(x)");
        return new DlmError(pos, "undefined name '" + name + "'" + Suggest.didYouMean(name, f.vars.keySet()));
    }

    private Val range(Ast.Range r, Frame f) {
        int from = rangeBound(r.from(), f), to = rangeBound(r.to(), f);
        // Loops are unrolled into the graph: a huge range is a mistake, not a model.
        if ((long) to - from > 100_000) throw new DlmError(r.pos(), "range " + from + ".." + to + " is too long to unroll (at most 100000 steps)");
        List<Val> items = new ArrayList<>();
        for (int i = from; i < to; i++) items.add(new Val.Num(i));
        return new Val.ListVal(items);
    }

    private int rangeBound(Ast.Expr e, Frame f) {
        Val v = eval(e, f);
        if (v instanceof Val.Num n && n.isInt()) return n.intValue();
        if (v instanceof Val.Sym s) throw undefined(s.name(), s.pos(), f);
        throw new DlmError(e.pos(), "a range bound must be an integer, got " + Val.show(v));
    }

    private Val negate(Ast.Unary u, Val v, Frame f) {
        return switch (v) {
            case Val.Num n -> new Val.Num(-n.value());
            case Val.Tensor t when t.value().dtype() == DType.F32 -> new Val.Tensor(em.add(u.pos(), "'-'", new Op.Unary(Op.UnaryFn.NEG, 0), t.value()));
            case Val.Sym s -> throw undefined(s.name(), s.pos(), f);
            default -> throw new DlmError(u.pos(), "cannot negate " + Val.show(v));
        };
    }

    private Val binary(Ast.Binary b, Val l, Val r, Frame f) {
        if (l instanceof Val.Sym s) throw undefined(s.name(), s.pos(), f);
        if (r instanceof Val.Sym s) throw undefined(s.name(), s.pos(), f);
        String op = b.op();
        if (List.of("==", "!=", "<", "<=", ">", ">=").contains(op)) return compare(b, l, r);
        if (l instanceof Val.Num x && r instanceof Val.Num y) {
            return new Val.Num(switch (op) {
                case "+" -> x.value() + y.value();
                case "-" -> x.value() - y.value();
                case "*" -> x.value() * y.value();
                case "/" -> {
                    if (y.value() == 0) throw new DlmError(b.pos(), "division by zero");
                    yield x.value() / y.value();
                }
                default -> throw new IllegalStateException(op);
            });
        }
        if ((l instanceof Val.Tensor || l instanceof Val.Num) && (r instanceof Val.Tensor || r instanceof Val.Num)) {
            Value a = operand(b, l), c = operand(b, r);
            Op.BinaryFn fn = switch (op) {
                case "+" -> Op.BinaryFn.ADD;
                case "-" -> Op.BinaryFn.SUB;
                case "*" -> Op.BinaryFn.MUL;
                default -> Op.BinaryFn.DIV;
            };
            return new Val.Tensor(em.add(b.pos(), "'" + op + "'", new Op.Binary(fn), a, c));
        }
        throw new DlmError(b.pos(), "cannot apply '" + op + "' to " + Val.kind(l) + " and " + Val.kind(r));
    }

    private Value operand(Ast.Binary b, Val v) {
        if (v instanceof Val.Num n) return em.scalar(n.value());
        Value t = ((Val.Tensor) v).value();
        if (t.dtype() != DType.F32) throw new DlmError(b.pos(), "'" + b.op() + "' needs float tensors, got " + Val.show(v));
        return t;
    }

    private Val compare(Ast.Binary b, Val l, Val r) {
        if (l instanceof Val.Tensor || r instanceof Val.Tensor)
            throw new DlmError(b.pos(), "'" + b.op() + "' compares values known at compile time, got " + Val.show(l instanceof Val.Tensor ? l : r));
        if (l instanceof Val.Num x && r instanceof Val.Num y) {
            double p = x.value(), q = y.value();
            return new Val.Bool(switch (b.op()) {
                case "==" -> p == q;
                case "!=" -> p != q;
                case "<" -> p < q;
                case "<=" -> p <= q;
                case ">" -> p > q;
                default -> p >= q;
            });
        }
        if (b.op().equals("==")) return new Val.Bool(same(l, r));
        if (b.op().equals("!=")) return new Val.Bool(!same(l, r));
        throw new DlmError(b.pos(), "'" + b.op() + "' compares numbers, got " + Val.kind(l) + " and " + Val.kind(r));
    }

    private static boolean same(Val a, Val b) {
        return switch (a) {
            case Val.Sym s -> b instanceof Val.Sym t && s.name().equals(t.name());
            case Val.ListVal l -> b instanceof Val.ListVal m && l.items().size() == m.items().size()
                    && java.util.stream.IntStream.range(0, l.items().size()).allMatch(i -> same(l.items().get(i), m.items().get(i)));
            default -> a.equals(b);
        };
    }

    // ------------------------------------------------------------------ calls

    /** A call's arguments, evaluated: positional values, keywords in order, and name=. */
    private record Evaluated(List<Val> positional, List<Pos> positionalPos, Map<String, Val> keywords,
                             Map<String, Pos> keywordPos, Map<String, Pos> keyPos, String name, Pos namePos) {}

    Val call(Ast.Call c, Frame f) {
        Ast.Def def = defs.get(c.name());
        Builtins.Builtin b = def == null ? Builtins.get(c.name()) : null;
        if (def == null && b == null) {
            Set<String> known = new LinkedHashSet<>(Builtins.names());
            known.addAll(defs.keySet());
            throw new DlmError(c.pos(), "unknown op '" + c.name() + "'" + Suggest.didYouMean(c.name(), known));
        }
        if (b != null && b.loss() && !em.inLoss)
            throw new DlmError(c.pos(), c.name() + " is a loss: it is only allowed in the loss of a train block");
        Evaluated args = evaluate(c, f);
        return def != null ? callDef(def, c, args, f) : callBuiltin(b, c, args, f);
    }

    private Evaluated evaluate(Ast.Call c, Frame f) {
        List<Val> pos = new ArrayList<>();
        List<Pos> posPos = new ArrayList<>();
        Map<String, Val> kw = new LinkedHashMap<>();
        Map<String, Pos> kwPos = new HashMap<>();
        Map<String, Pos> keyPos = new HashMap<>();
        String name = null;
        Pos namePos = null;
        for (Ast.Arg a : c.args()) {
            if (a.positional()) {
                if (!kw.isEmpty() || name != null) throw new DlmError(a.pos(), "a positional argument cannot follow keyword arguments");
                pos.add(eval(a.value(), f, true));
                posPos.add(a.value().pos());
            } else if (a.key().equals("name")) {
                if (name != null) throw new DlmError(a.pos(), "name= is given twice in this call of " + c.name());
                name = layerName(a.value(), f);
                namePos = a.value().pos();
            } else {
                if (kw.containsKey(a.key())) throw new DlmError(a.pos(), "argument '" + a.key() + "' is given twice in this call of " + c.name());
                kw.put(a.key(), eval(a.value(), f, true));
                kwPos.put(a.key(), a.value().pos());
                keyPos.put(a.key(), a.pos());
            }
        }
        return new Evaluated(pos, posPos, kw, kwPos, keyPos, name, namePos);
    }

    /**
     * {@code name=blk}: the word itself, unless it is a def parameter holding a name or a
     * loop variable holding an integer ({@code name=i} gives "0", "1", ... as PyTorch's Sequential).
     */
    private String layerName(Ast.Expr e, Frame f) {
        if (e instanceof Ast.Name n) {
            Val v = f.vars.get(n.name());
            if (v instanceof Val.Sym s) return s.name();
            if (v instanceof Val.Num num && num.isInt()) return Integer.toString(num.intValue());
            return n.name();
        }
        if (e instanceof Ast.Num n && n.value() == Math.rint(n.value()) && n.value() >= 0) return Integer.toString((int) n.value());
        throw new DlmError(e.pos(), "name= expects a name, got " + Val.show(eval(e, f, true)));
    }

    private Val callBuiltin(Builtins.Builtin b, Ast.Call c, Evaluated args, Frame f) {
        Sig sig = b.sig();
        if (args.name() != null && !sig.layer())
            throw new DlmError(args.namePos(), c.name() + " has no parameters to name; name= is for layers and def calls");
        Map<String, Val> vals = new LinkedHashMap<>();
        Map<String, Pos> poss = new HashMap<>();
        List<Val> rest = new ArrayList<>();
        List<Sig.P> ps = sig.params();
        int i = 0;
        for (; i < args.positional().size(); i++) {
            if (i >= ps.size()) throw new DlmError(args.positionalPos().get(i),
                    c.name() + " takes at most " + ps.size() + " arguments, got " + args.positional().size() + ": " + sig.usage());
            Sig.P p = ps.get(i);
            if (p.variadic()) {
                for (int j = i; j < args.positional().size(); j++) {
                    check(sig, p, args.positional().get(j), args.positionalPos().get(j), f);
                    rest.add(args.positional().get(j));
                }
                i = args.positional().size();
                break;
            }
            check(sig, p, args.positional().get(i), args.positionalPos().get(i), f);
            vals.put(p.name(), args.positional().get(i));
            poss.put(p.name(), args.positionalPos().get(i));
        }
        for (var kw : args.keywords().entrySet()) {
            Sig.P p = sig.param(kw.getKey());
            Pos at = args.keywordPos().get(kw.getKey());
            if (p == null || p.variadic())
                throw new DlmError(args.keyPos().get(kw.getKey()), c.name() + " has no argument '" + kw.getKey() + "'" + Suggest.orElse(kw.getKey(), sig.names(), "it is called as " + sig.usage()));
            if (vals.containsKey(p.name()))
                throw new DlmError(args.keyPos().get(kw.getKey()), "argument '" + p.name() + "' of " + c.name() + " is given twice (by position and by keyword)");
            check(sig, p, kw.getValue(), at, f);
            vals.put(p.name(), kw.getValue());
            poss.put(p.name(), at);
        }
        for (Sig.P p : ps) {
            if (p.variadic() || vals.containsKey(p.name())) continue;
            if (p.dflt() != null) vals.put(p.name(), p.dflt());
            else if (!p.optional())
                throw new DlmError(c.pos(), "missing argument '" + p.name() + "' in call of " + sig.usage());
        }
        return b.impl().apply(new Args(sig, c.pos(), em, vals, poss, rest, f.prefix, args.name(), args.namePos()));
    }

    private void check(Sig sig, Sig.P p, Val v, Pos at, Frame f) {
        if (Sig.accepts(p, v)) return;
        if (v instanceof Val.Sym s && !Sig.takesWords(p)) throw undefined(s.name(), s.pos(), f);
        throw new DlmError(at, sig.op() + " expects " + p.name() + " as " + Sig.describe(p, v) + ", got " + Val.show(v));
    }

    /** Inlines a def: its parameters are bound in a fresh frame; name= prefixes its layers. */
    private Val callDef(Ast.Def def, Ast.Call c, Evaluated args, Frame f) {
        String usage = def.name() + "(" + String.join(", ", def.params().stream().map(Ast.Param::name).toList()) + ")";
        if (args.positional().size() > def.params().size())
            throw new DlmError(args.positionalPos().get(def.params().size()),
                    def.name() + " takes " + def.params().size() + " arguments, got " + args.positional().size() + ": " + usage);
        Frame inner = new Frame(args.name() != null ? f.prefix + args.name() + "." : f.prefix, def);
        for (int i = 0; i < args.positional().size(); i++) inner.vars.put(def.params().get(i).name(), args.positional().get(i));
        for (var kw : args.keywords().entrySet()) {
            Pos at = args.keyPos().get(kw.getKey());
            if (def.params().stream().noneMatch(p -> p.name().equals(kw.getKey())))
                throw new DlmError(at, def.name() + " has no parameter '" + kw.getKey() + "'"
                        + Suggest.orElse(kw.getKey(), def.params().stream().map(Ast.Param::name).toList(), "it is called as " + usage));
            if (inner.vars.containsKey(kw.getKey()))
                throw new DlmError(at, "argument '" + kw.getKey() + "' of " + def.name() + " is given twice (by position and by keyword)");
            inner.vars.put(kw.getKey(), kw.getValue());
        }
        for (Ast.Param p : def.params())
            if (!inner.vars.containsKey(p.name()))
                throw new DlmError(c.pos(), "missing argument '" + p.name() + "' in call of " + usage);
        List<Ast.Stmt> body = def.body();
        for (Ast.Stmt s : body.subList(0, body.size() - 1)) exec(s, inner);
        return eval(((Ast.Return) body.getLast()).value(), inner);
    }
}
