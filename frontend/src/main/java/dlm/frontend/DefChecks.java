package dlm.frontend;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks on the file as a whole, before any model is built: unique names, the shape of each
 * def (parameters, a final return), and no recursion among defs, since defs are inlined.
 */
final class DefChecks {
    private DefChecks() {}

    /** The defs by name; every problem found is added to {@code errors}. */
    static Map<String, Ast.Def> check(Ast.File file, List<DlmError> errors) {
        Map<String, Ast.Def> defs = new LinkedHashMap<>();
        Map<String, Ast.Model> models = new LinkedHashMap<>();
        for (Ast.Decl d : file.decls()) {
            switch (d) {
                case Ast.Def def -> {
                    if (Builtins.get(def.name()) != null)
                        errors.add(new DlmError(def.pos(), "def '" + def.name() + "' would hide the built-in op " + def.name()));
                    else if (defs.putIfAbsent(def.name(), def) != null)
                        errors.add(new DlmError(def.pos(), "def '" + def.name() + "' is already defined at line " + defs.get(def.name()).pos().line()));
                    params(def, errors);
                    body(def, errors);
                }
                case Ast.Model m -> {
                    if (models.putIfAbsent(m.name(), m) != null)
                        errors.add(new DlmError(m.pos(), "model '" + m.name() + "' is already defined at line " + models.get(m.name()).pos().line()));
                }
            }
        }
        recursion(defs, errors);
        return defs;
    }

    private static void params(Ast.Def def, List<DlmError> errors) {
        Set<String> seen = new HashSet<>();
        for (Ast.Param p : def.params()) {
            if (p.name().equals("name"))
                errors.add(new DlmError(p.pos(), "a def parameter cannot be called 'name': name= names the layers of a def call"));
            else if (!seen.add(p.name()))
                errors.add(new DlmError(p.pos(), "parameter '" + p.name() + "' of def " + def.name() + " is declared twice"));
        }
    }

    private static void body(Ast.Def def, List<DlmError> errors) {
        List<Ast.Stmt> b = def.body();
        if (b.isEmpty() || !(b.getLast() instanceof Ast.Return))
            errors.add(new DlmError(def.pos(), "def " + def.name() + " must end with 'return EXPR'"));
    }

    /** Reports each cycle once, at the call that closes it, naming the whole chain. */
    private static void recursion(Map<String, Ast.Def> defs, List<DlmError> errors) {
        Set<String> done = new HashSet<>();
        Set<String> reported = new HashSet<>();
        for (String start : defs.keySet()) visit(start, new ArrayList<>(), defs, done, reported, errors);
    }

    private static void visit(String name, List<String> path, Map<String, Ast.Def> defs, Set<String> done,
                              Set<String> reported, List<DlmError> errors) {
        if (done.contains(name)) return;
        path.add(name);
        for (Ast.Call c : Walk.calls(defs.get(name).body())) {
            if (!defs.containsKey(c.name())) continue;
            int at = path.indexOf(c.name());
            if (at >= 0) {
                List<String> cycle = new ArrayList<>(path.subList(at, path.size()));
                if (reported.addAll(cycle)) {
                    cycle.add(c.name());
                    String msg = cycle.size() == 2
                            ? "def " + name + " calls itself; recursion is not allowed (defs are inlined)"
                            : "recursive defs " + String.join(" -> ", cycle) + "; recursion is not allowed (defs are inlined)";
                    errors.add(new DlmError(c.pos(), msg));
                }
                continue;
            }
            visit(c.name(), path, defs, done, reported, errors);
        }
        path.removeLast();
        done.add(name);
    }
}
