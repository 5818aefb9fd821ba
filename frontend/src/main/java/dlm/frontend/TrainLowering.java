package dlm.frontend;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dlm.ir.DType;
import dlm.ir.Graph;
import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.TrainSpec;
import dlm.ir.Type;
import dlm.ir.Value;

/**
 * The train block: targets become graph leaves, the loss becomes the graph output
 * {@link Graph#LOSS}, the rest becomes the graph's {@link TrainSpec}.
 */
final class TrainLowering {
    static final List<String> METRICS = List.of("accuracy", "auc", "precision", "recall", "f1");
    static final List<String> SETTINGS = List.of("loss", "optimizer", "metrics", "freeze", "trainable");

    private final Lowerer lowerer;
    private final Emitter em;
    private final Lowerer.Frame model;

    TrainLowering(Lowerer lowerer, Emitter em, Lowerer.Frame model) {
        this.lowerer = lowerer;
        this.em = em;
        this.model = model;
    }

    void lower(Ast.Train train) {
        Map<String, Ast.TrainItem> settings = new LinkedHashMap<>();
        List<Ast.Target> targets = new ArrayList<>();
        for (Ast.TrainItem item : train.items()) {
            switch (item) {
                case Ast.Target t -> targets.add(t);
                case Ast.Setting s -> setting(settings, s.key(), s);
                case Ast.NameListSetting s -> setting(settings, s.key(), s);
            }
        }

        // The loss sees the model's bindings and the targets.
        Lowerer.Frame frame = new Lowerer.Frame("", null);
        frame.vars.putAll(model.vars);
        Map<String, Value> targetValues = new LinkedHashMap<>();
        for (Ast.Target t : targets) {
            if (frame.vars.containsKey(t.name()))
                throw new DlmError(t.pos(), "'" + t.name() + "' is already bound in the model; a target needs a new name");
            Value v = target(t, frame);
            targetValues.put(t.name(), v);
            frame.vars.put(t.name(), new Val.Tensor(v));
        }

        if (!(settings.get("loss") instanceof Ast.Setting lossItem))
            throw new DlmError(train.pos(), settings.containsKey("loss")
                    ? "loss must be an expression such as cross_entropy(logits, label)"
                    : "the train block has no loss; add one, as in: loss = cross_entropy(logits, label)");
        Value loss = loss(lossItem, frame);
        em.graph.output(Graph.LOSS, loss);

        Set<Value> used = new java.util.HashSet<>();
        for (Emitter.LossUse u : em.losses) used.add(u.target());
        for (Ast.Target t : targets)
            if (!used.contains(targetValues.get(t.name())))
                throw new DlmError(t.pos(), "target '" + t.name() + "' is not used by any loss");

        TrainSpec.Optimizer optimizer = optimizer(settings.get("optimizer"), frame);
        List<String> metrics = metrics(settings.get("metrics"));
        List<String> freeze = patterns(settings.get("freeze"));
        List<String> trainable = patterns(settings.get("trainable"));
        if (!freeze.isEmpty() && settings.containsKey("trainable"))
            throw new DlmError(settings.get("trainable").pos(), "give either freeze or trainable, not both");

        Emitter.LossUse first = em.losses.getFirst();
        String predictionOutput = null;
        for (var o : em.graph.outputs().entrySet())
            if (o.getValue().equals(first.prediction()) && !o.getKey().equals(Graph.LOSS)) { predictionOutput = o.getKey(); break; }
        String targetName = null;
        for (var t : targetValues.entrySet()) if (t.getValue().equals(first.target())) targetName = t.getKey();
        TrainSpec.Prediction prediction = switch (first.fn()) {
            case BINARY_CROSS_ENTROPY -> TrainSpec.Prediction.PROBABILITY;
            case BINARY_CROSS_ENTROPY_WITH_LOGITS -> TrainSpec.Prediction.LOGITS;
            case CROSS_ENTROPY -> TrainSpec.Prediction.CLASS_LOGITS;
            case MSE -> TrainSpec.Prediction.VALUE;
        };
        em.graph.setTrain(new TrainSpec(optimizer, metrics, freeze, trainable, predictionOutput, targetName, prediction));
    }

    private static void setting(Map<String, Ast.TrainItem> settings, String key, Ast.TrainItem item) {
        if (!SETTINGS.contains(key))
            throw new DlmError(item.pos(), "unknown train setting '" + key + "'"
                    + Suggest.orElse(key, SETTINGS, "expected target, " + String.join(", ", SETTINGS)));
        Ast.TrainItem before = settings.putIfAbsent(key, item);
        if (before != null) throw new DlmError(item.pos(), key + " is already set at line " + before.pos().line());
    }

    /** {@code [1]} is a float tensor per sample; {@code class(10)} one class id per sample. */
    private Value target(Ast.Target t, Lowerer.Frame frame) {
        if (t.type() instanceof Ast.ClassType c) {
            if (!c.kind().equals("class"))
                throw new DlmError(c.pos(), "unknown target kind '" + c.kind() + "'; expected [dims] or class(N)");
            Val n = lowerer.eval(c.classes(), frame);
            if (!(n instanceof Val.Num num) || !num.isInt() || num.value() < 2)
                throw new DlmError(c.classes().pos(), "class(N) needs an integer number of classes of at least 2, got " + Val.show(n));
            Value v = em.graph.addLeaf(new Op.Target(t.name()), new Type(DType.I32, Shape.batched(List.of())));
            em.classTargets.put(v, num.intValue());
            return v;
        }
        return em.graph.addLeaf(new Op.Target(t.name()), lowerer.tensorType(t.type(), frame, "target"));
    }

    private Value loss(Ast.Setting item, Lowerer.Frame frame) {
        em.inLoss = true;
        Val v;
        try {
            v = lowerer.eval(item.value(), frame);
        } finally {
            em.inLoss = false;
        }
        if (!(v instanceof Val.Tensor t) || t.value().shape().rank() != 0 || em.losses.isEmpty())
            throw new DlmError(item.value().pos(), "loss must be a loss such as cross_entropy(logits, label), or a sum of them; got " + Val.show(v));
        return t.value();
    }

    private TrainSpec.Optimizer optimizer(Ast.TrainItem item, Lowerer.Frame frame) {
        if (item == null) return new TrainSpec.Adam(1e-3, 0.9, 0.999, 1e-8, 0);
        if (!(item instanceof Ast.Setting s) || !(s.value() instanceof Ast.Call || s.value() instanceof Ast.Name))
            throw new DlmError(item.pos(), "optimizer must be sgd(...) or adam(...)");
        String name = s.value() instanceof Ast.Call c ? c.name() : ((Ast.Name) s.value()).name();
        List<Ast.Arg> args = s.value() instanceof Ast.Call c ? c.args() : List.of();
        List<String> params = switch (name) {
            case "sgd" -> List.of("lr", "momentum", "weight_decay");
            case "adam" -> List.of("lr", "beta1", "beta2", "eps", "decay");
            default -> throw new DlmError(s.value().pos(), "unknown optimizer '" + name + "'"
                    + Suggest.orElse(name, List.of("sgd", "adam"), "expected sgd or adam"));
        };
        Map<String, Double> v = new HashMap<>(name.equals("sgd")
                ? Map.of("lr", 0.01, "momentum", 0.0, "weight_decay", 0.0)
                : Map.of("lr", 1e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "decay", 0.0));
        Set<String> given = new java.util.HashSet<>();
        for (int i = 0; i < args.size(); i++) {
            Ast.Arg a = args.get(i);
            String key = a.positional() ? (i < params.size() ? params.get(i) : null) : a.key();
            if (key == null) throw new DlmError(a.pos(), name + " takes at most " + params.size() + " arguments: " + name + "(" + String.join(", ", params) + ")");
            if (!params.contains(key))
                throw new DlmError(a.pos(), name + " has no argument '" + key + "'"
                        + Suggest.orElse(key, params, "it takes " + String.join(", ", params)));
            if (!given.add(key)) throw new DlmError(a.pos(), "argument '" + key + "' of " + name + " is given twice");
            Val x = lowerer.eval(a.value(), frame);
            if (!(x instanceof Val.Num n) || n.value() < 0)
                throw new DlmError(a.value().pos(), name + " expects " + key + " as a number of at least 0, got " + Val.show(x));
            v.put(key, n.value());
        }
        return name.equals("sgd")
                ? new TrainSpec.Sgd(v.get("lr"), v.get("momentum"), v.get("weight_decay"))
                : new TrainSpec.Adam(v.get("lr"), v.get("beta1"), v.get("beta2"), v.get("eps"), v.get("decay"));
    }

    private static List<Ast.NamePattern> names(Ast.TrainItem item, String key) {
        if (item instanceof Ast.NameListSetting l) return l.names();
        Ast.Setting s = (Ast.Setting) item;
        if (s.value() instanceof Ast.Name n) return List.of(new Ast.NamePattern(n.name(), n.pos()));
        throw new DlmError(s.value().pos(), key + " must be a list of names, as in " + key + " = [" + (key.equals("metrics") ? "accuracy" : "head") + "]");
    }

    private static List<String> metrics(Ast.TrainItem item) {
        if (item == null) return List.of();
        List<String> out = new ArrayList<>();
        for (Ast.NamePattern p : names(item, "metrics")) {
            if (!METRICS.contains(p.text()))
                throw new DlmError(p.pos(), "unknown metric '" + p.text() + "'"
                        + Suggest.orElse(p.text(), METRICS, "expected one of " + String.join(", ", METRICS)));
            if (out.contains(p.text())) throw new DlmError(p.pos(), "metric '" + p.text() + "' is listed twice");
            out.add(p.text());
        }
        return out;
    }

    /** Each pattern must name at least one layer: a typo would otherwise silently train everything. */
    private List<String> patterns(Ast.TrainItem item) {
        if (item == null) return List.of();
        String key = item instanceof Ast.NameListSetting l ? l.key() : ((Ast.Setting) item).key();
        List<String> layers = em.graph.params().stream().map(n -> {
            String p = ((Op.Param) n.op()).name();
            return p.substring(0, p.lastIndexOf('.'));
        }).distinct().toList();
        List<String> out = new ArrayList<>();
        for (Ast.NamePattern p : names(item, key)) {
            if (layers.stream().noneMatch(layer -> TrainSpec.matches(p.text(), layer)))
                throw new DlmError(p.pos(), key + " pattern '" + p.text() + "' matches no layer" + Suggest.didYouMean(p.text(), layers));
            out.add(p.text());
        }
        return out;
    }
}
