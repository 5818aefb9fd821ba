package dlm.passes;

import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Value;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A graph as Graphviz DOT: one box per node labelled with its op (and the attribute that tells
 * two of a kind apart: the function of a unary, the name of a param) and its type; edges from
 * inputs to users. Inputs and targets, params, fills, and the named outputs and updates each
 * have their own shape and colour, so a model's signature and its state stand out.
 *
 * <p>A cluster function may group nodes into boxes (the fusion pass will give each fused kernel
 * one): it returns a cluster id per node, null for none.
 */
public final class DotWriter {
    private DotWriter() {}

    public static String write(Graph g) { return write(g, n -> null); }

    public static String write(Graph g, Function<Node, String> cluster) {
        StringBuilder sb = new StringBuilder();
        sb.append("digraph ").append(quote(g.name())).append(" {\n");
        sb.append("  rankdir=TB;\n");
        sb.append("  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Helvetica\", fontsize=10];\n");
        sb.append("  edge [color=\"#555555\", arrowsize=0.6];\n");
        Map<String, List<Node>> clusters = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            String c = cluster.apply(n);
            if (c != null) clusters.computeIfAbsent(c, k -> new java.util.ArrayList<>()).add(n);
            else sb.append("  ").append(node(n)).append('\n');
        }
        int k = 0;
        for (var e : clusters.entrySet()) {
            sb.append("  subgraph cluster_").append(k++).append(" {\n");
            sb.append("    label=").append(quote(e.getKey())).append("; style=\"rounded,dashed\"; color=\"#888888\";\n");
            for (Node n : e.getValue()) sb.append("    ").append(node(n)).append('\n');
            sb.append("  }\n");
        }
        for (Node n : g.nodes())
            for (Value in : n.inputs()) sb.append("  ").append(id(in)).append(" -> ").append(id(n.out())).append(";\n");
        int o = 0;
        for (var e : g.outputs().entrySet()) {
            String id = "out" + o++;
            sb.append("  ").append(id).append(" [label=").append(quote("output " + e.getKey()))
                    .append(", shape=house, fillcolor=\"#c7efc4\"];\n");
            sb.append("  ").append(id(e.getValue())).append(" -> ").append(id).append(";\n");
        }
        int u = 0;
        for (var e : g.updates().entrySet()) {
            String id = "upd" + u++;
            sb.append("  ").append(id).append(" [label=").append(quote("update " + e.getKey()))
                    .append(", shape=house, fillcolor=\"#ffe2a8\"];\n");
            sb.append("  ").append(id(e.getValue())).append(" -> ").append(id).append(" [style=dashed];\n");
        }
        return sb.append("}\n").toString();
    }

    private static String id(Value v) { return "v" + v.id(); }

    private static String node(Node n) {
        String label = n.out() + " " + describe(n.op()) + "\n" + n.out().type();
        String style = switch (n.op()) {
            case Op.Input _, Op.Target _ -> ", shape=invhouse, fillcolor=\"#cfe3ff\"";
            case Op.Param p -> p.kind() == Op.ParamKind.WEIGHT ? ", shape=cylinder, fillcolor=\"#ffe2a8\"" : ", shape=cylinder, fillcolor=\"#f3e9d2\"";
            case Op.Fill _ -> ", shape=ellipse, fillcolor=\"#eeeeee\"";
            default -> "";
        };
        return id(n.out()) + " [label=" + quote(label) + style + "];";
    }

    /** The op and the attribute that says what it does; the IR text has the rest. */
    static String describe(Op op) {
        return switch (op) {
            case Op.Input i -> "input " + i.name();
            case Op.Target t -> "target " + t.name();
            case Op.Param p -> "param " + p.name();
            case Op.Fill f -> "fill " + f.value();
            case Op.Unary u -> u.fn().name().toLowerCase();
            case Op.UnaryGrad u -> u.fn().name().toLowerCase() + "_grad";
            case Op.Binary b -> b.fn().name().toLowerCase();
            case Op.Reduce r -> "reduce " + r.fn().name().toLowerCase() + " " + r.axes();
            case Op.ReduceGrad r -> "reduce_grad " + r.fn().name().toLowerCase() + " " + r.axes();
            case Op.Transpose t -> "transpose " + t.perm();
            default -> op.opName();
        };
    }

    /** A DOT string literal. */
    static String quote(String s) {
        return s.chars().mapToObj(c -> switch (c) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            case '\n' -> "\\n";
            default -> String.valueOf((char) c);
        }).collect(Collectors.joining("", "\"", "\""));
    }
}
