package dlm.frontend;

import java.util.List;

/**
 * The syntax tree of a .dlm file, as written: nothing is resolved or checked yet.
 * Every node carries the position a diagnostic about it should point at.
 */
public final class Ast {
    private Ast() {}

    public record File(List<Decl> decls) {}

    public sealed interface Decl permits Def, Model {
        String name();
        Pos pos();
    }

    public record Def(String name, List<Param> params, List<Stmt> body, Pos pos) implements Decl {}
    public record Param(String name, Pos pos) {}
    public record Model(String name, List<Stmt> body, Pos pos) implements Decl {}

    // ------------------------------------------------------------------ statements

    public sealed interface Stmt permits Input, Output, Bind, For, If, Train, Return {
        Pos pos();
    }

    public record Input(String name, TypeSpec type, Pos pos) implements Stmt {}
    /** {@code output NAME = EXPR} (value present) or {@code output NAME}. */
    public record Output(String name, Expr value, Pos pos) implements Stmt {}
    public record Bind(String name, Expr value, Pos pos) implements Stmt {}
    public record For(String var, Pos varPos, Expr over, List<Stmt> body, Pos pos) implements Stmt {}
    public record If(Expr cond, List<Stmt> then, List<Stmt> otherwise, Pos pos) implements Stmt {}
    public record Train(List<TrainItem> items, Pos pos) implements Stmt {}
    public record Return(Expr value, Pos pos) implements Stmt {}

    /** {@code [30]}, {@code i32[10]} (dtype null when not written), or {@code class(10)}. */
    public sealed interface TypeSpec permits TensorType, ClassType {
        Pos pos();
    }
    public record TensorType(String dtype, List<Expr> dims, Pos pos) implements TypeSpec {}
    public record ClassType(String kind, Expr classes, Pos pos) implements TypeSpec {}

    public sealed interface TrainItem permits Target, Setting, NameListSetting {
        Pos pos();
    }
    public record Target(String name, TypeSpec type, Pos pos) implements TrainItem {}
    public record Setting(String key, Expr value, Pos pos) implements TrainItem {}
    /** {@code freeze = [head, layer1*]}: names and prefix patterns, kept as text. */
    public record NameListSetting(String key, List<NamePattern> names, Pos pos) implements TrainItem {}
    public record NamePattern(String text, Pos pos) {}

    // ------------------------------------------------------------------ expressions

    public sealed interface Expr permits Num, Bool, Name, ListLit, Call, Unary, Binary, Range {
        Pos pos();
    }

    public record Num(double value, String text, Pos pos) implements Expr {}
    public record Bool(boolean value, Pos pos) implements Expr {}
    public record Name(String name, Pos pos) implements Expr {}
    public record ListLit(List<Expr> items, Pos pos) implements Expr {}
    /** A call; a pipeline {@code a -> f(b)} is the call {@code f(a, b)} with {@code piped} set. */
    public record Call(String name, List<Arg> args, boolean piped, Pos pos) implements Expr {}
    public record Arg(String key, Expr value, Pos pos) {
        public boolean positional() { return key == null; }
    }
    public record Unary(String op, Expr operand, Pos pos) implements Expr {}
    /** Arithmetic and comparisons; pos is the operator's. */
    public record Binary(String op, Expr left, Expr right, Pos pos) implements Expr {}
    public record Range(Expr from, Expr to, Pos pos) implements Expr {}
}
