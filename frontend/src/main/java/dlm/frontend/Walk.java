package dlm.frontend;

import java.util.ArrayList;
import java.util.List;

/** Collects the calls written in a block, nested blocks and expressions included. */
final class Walk {
    private Walk() {}

    static List<Ast.Call> calls(List<Ast.Stmt> body) {
        List<Ast.Call> out = new ArrayList<>();
        for (Ast.Stmt s : body) stmt(s, out);
        return out;
    }

    private static void stmt(Ast.Stmt s, List<Ast.Call> out) {
        switch (s) {
            case Ast.Input i -> {}
            case Ast.Output o -> { if (o.value() != null) expr(o.value(), out); }
            case Ast.Bind b -> expr(b.value(), out);
            case Ast.For f -> { expr(f.over(), out); f.body().forEach(x -> stmt(x, out)); }
            case Ast.If i -> { expr(i.cond(), out); i.then().forEach(x -> stmt(x, out)); i.otherwise().forEach(x -> stmt(x, out)); }
            case Ast.Train t -> t.items().forEach(item -> { if (item instanceof Ast.Setting st) expr(st.value(), out); });
            case Ast.Return r -> expr(r.value(), out);
        }
    }

    private static void expr(Ast.Expr e, List<Ast.Call> out) {
        switch (e) {
            case Ast.Num n -> {}
            case Ast.Bool b -> {}
            case Ast.Name n -> {}
            case Ast.ListLit l -> l.items().forEach(x -> expr(x, out));
            case Ast.Call c -> { out.add(c); c.args().forEach(a -> expr(a.value(), out)); }
            case Ast.Unary u -> expr(u.operand(), out);
            case Ast.Binary b -> { expr(b.left(), out); expr(b.right(), out); }
            case Ast.Range r -> { expr(r.from(), out); expr(r.to(), out); }
        }
    }
}
