package dlm.frontend;

import java.util.ArrayList;
import java.util.List;

import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;

/** ANTLR parse tree to {@link Ast}: pure restructuring, no checks. */
final class AstBuilder {

    Ast.File file(DlmParser.FileContext ctx) {
        List<Ast.Decl> decls = new ArrayList<>();
        for (DlmParser.TopLevelContext t : ctx.topLevel()) {
            if (t.defDecl() != null) decls.add(def(t.defDecl()));
            else decls.add(model(t.modelDecl()));
        }
        return new Ast.File(decls);
    }

    private Ast.Def def(DlmParser.DefDeclContext ctx) {
        List<Ast.Param> params = new ArrayList<>();
        for (TerminalNode id : ctx.ID()) {
            if (id.getSymbol() == ctx.name) continue;
            params.add(new Ast.Param(id.getText(), pos(id.getSymbol())));
        }
        return new Ast.Def(ctx.name.getText(), params, block(ctx.block()), pos(ctx.name));
    }

    private Ast.Model model(DlmParser.ModelDeclContext ctx) {
        return new Ast.Model(ctx.name.getText(), block(ctx.block()), pos(ctx.name));
    }

    private List<Ast.Stmt> block(DlmParser.BlockContext ctx) {
        return ctx.stmt().stream().map(this::stmt).toList();
    }

    private Ast.Stmt stmt(DlmParser.StmtContext ctx) {
        return switch (ctx) {
            case DlmParser.InputStmtContext c -> new Ast.Input(c.name.getText(), typeSpec(c.typeSpec()), pos(c.name));
            case DlmParser.OutputStmtContext c -> new Ast.Output(c.name.getText(), c.expr() == null ? null : expr(c.expr()), pos(c.name));
            case DlmParser.BindStmtContext c -> new Ast.Bind(c.name.getText(), expr(c.expr()), pos(c.name));
            case DlmParser.ForStmtContext c -> new Ast.For(c.var.getText(), pos(c.var), expr(c.expr()), block(c.block()), pos(c.start));
            case DlmParser.IfStmtContext c -> {
                List<Ast.Stmt> otherwise = List.of();
                if (c.block().size() > 1) otherwise = block(c.block(1));
                else if (c.elseIf != null) otherwise = List.of(stmt(c.elseIf));
                yield new Ast.If(expr(c.expr()), block(c.block(0)), otherwise, pos(c.start));
            }
            case DlmParser.TrainStmtContext c -> new Ast.Train(c.trainItem().stream().map(this::trainItem).toList(), pos(c.start));
            case DlmParser.ReturnStmtContext c -> new Ast.Return(expr(c.expr()), pos(c.start));
            default -> throw new IllegalStateException("unknown statement " + ctx.getClass());
        };
    }

    private Ast.TypeSpec typeSpec(DlmParser.TypeSpecContext ctx) {
        return switch (ctx) {
            case DlmParser.TensorTypeContext c -> new Ast.TensorType(c.dtype == null ? null : c.dtype.getText(),
                    c.expr().stream().map(this::expr).toList(), pos(c.start));
            case DlmParser.ClassTypeContext c -> new Ast.ClassType(c.kind.getText(), expr(c.expr()), pos(c.start));
            default -> throw new IllegalStateException("unknown type " + ctx.getClass());
        };
    }

    private Ast.TrainItem trainItem(DlmParser.TrainItemContext ctx) {
        return switch (ctx) {
            case DlmParser.TargetItemContext c -> new Ast.Target(c.name.getText(), typeSpec(c.typeSpec()), pos(c.name));
            case DlmParser.ListItemContext c -> new Ast.NameListSetting(c.key.getText(),
                    c.nameList().namePattern().stream().map(p -> new Ast.NamePattern(p.getText(), pos(p.start))).toList(), pos(c.key));
            case DlmParser.ExprItemContext c -> new Ast.Setting(c.key.getText(), expr(c.expr()), pos(c.key));
            default -> throw new IllegalStateException("unknown train item " + ctx.getClass());
        };
    }

    private Ast.Expr expr(DlmParser.ExprContext ctx) {
        return switch (ctx) {
            case DlmParser.NegExprContext c -> new Ast.Unary("-", expr(c.expr()), pos(c.start));
            case DlmParser.MulExprContext c -> binary(c.op, c.expr(0), c.expr(1));
            case DlmParser.AddExprContext c -> binary(c.op, c.expr(0), c.expr(1));
            case DlmParser.CmpExprContext c -> binary(c.op, c.expr(0), c.expr(1));
            case DlmParser.RangeExprContext c -> new Ast.Range(expr(c.expr(0)), expr(c.expr(1)), pos(c.op));
            case DlmParser.PipeExprContext c -> pipe(c);
            case DlmParser.PrimaryExprContext c -> primary(c.primary());
            default -> throw new IllegalStateException("unknown expression " + ctx.getClass());
        };
    }

    private Ast.Expr binary(Token op, DlmParser.ExprContext l, DlmParser.ExprContext r) {
        return new Ast.Binary(op.getText(), expr(l), expr(r), pos(op));
    }

    /** {@code a -> f(b)} is {@code f(a, b)}; {@code a -> f} is {@code f(a)}. */
    private Ast.Expr pipe(DlmParser.PipeExprContext c) {
        Ast.Expr left = expr(c.expr());
        List<Ast.Arg> args = new ArrayList<>();
        args.add(new Ast.Arg(null, left, left.pos()));
        if (c.call() != null) {
            args.addAll(args(c.call()));
            return new Ast.Call(c.call().name.getText(), args, true, pos(c.call().name));
        }
        return new Ast.Call(c.ID().getText(), args, true, pos(c.ID().getSymbol()));
    }

    private Ast.Expr primary(DlmParser.PrimaryContext ctx) {
        return switch (ctx) {
            case DlmParser.NumberLitContext c -> new Ast.Num(Double.parseDouble(c.getText()), c.getText(), pos(c.start));
            case DlmParser.BoolLitContext c -> new Ast.Bool(c.TRUE() != null, pos(c.start));
            case DlmParser.CallExprContext c -> new Ast.Call(c.call().name.getText(), args(c.call()), false, pos(c.call().name));
            case DlmParser.NameRefContext c -> new Ast.Name(c.getText(), pos(c.start));
            case DlmParser.ListLitContext c -> new Ast.ListLit(c.expr().stream().map(this::expr).toList(), pos(c.start));
            case DlmParser.ParenExprContext c -> expr(c.expr());
            default -> throw new IllegalStateException("unknown primary " + ctx.getClass());
        };
    }

    private List<Ast.Arg> args(DlmParser.CallContext c) {
        return c.arg().stream().map(a -> new Ast.Arg(a.key == null ? null : a.key.getText(), expr(a.expr()),
                a.key == null ? expr(a.expr()).pos() : pos(a.key))).toList();
    }

    static Pos pos(Token t) { return new Pos(t.getLine(), t.getCharPositionInLine() + 1); }

    static Pos pos(ParserRuleContext c) { return pos(c.start); }
}
