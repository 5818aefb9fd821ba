package dlm.frontend;

import java.util.ArrayList;
import java.util.List;

import dlm.ir.DType;
import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.Value;

/** Ops without parameters. Axes given by the user are sample axes; they are made absolute here. */
final class Functions {
    private Functions() {}

    static void register() {
        for (String fn : List.of("relu", "sigmoid", "tanh", "gelu", "exp", "log", "sqrt"))
            Builtins.function(fn, "x:tensor", a -> tensor(a.add(unary(fn, 0), a.tensor("x"))));
        Builtins.function("leaky_relu", "x:tensor alpha:num=0.01",
                a -> tensor(a.add(unary("leaky_relu", a.number("alpha")), a.tensor("x"))));
        Builtins.function("softmax", "x:tensor axis:int=-1",
                a -> tensor(a.add(new Op.Softmax(a.axis(a.tensor("x"), a.integer("axis"), "axis")), a.tensor("x"))));
        Builtins.function("log_softmax", "x:tensor axis:int=-1",
                a -> tensor(a.add(new Op.LogSoftmax(a.axis(a.tensor("x"), a.integer("axis"), "axis")), a.tensor("x"))));
        Builtins.function("maxpool", "x:tensor size:int stride:int? pad:pad=valid", a -> pool(a, true));
        Builtins.function("avgpool", "x:tensor size:int stride:int? pad:pad=valid", a -> pool(a, false));
        Builtins.function("global_avg_pool", "x:tensor", Functions::globalAvgPool);
        Builtins.function("flatten", "x:tensor", Functions::flatten);
        Builtins.function("dropout", "x:tensor rate:num", Functions::dropout);
        Builtins.function("concat", "*xs:anytensor axis:axis=channel", Functions::concat);
        Builtins.function("upsample", "x:tensor scale:int=2 mode:sym(nearest|bilinear)=nearest", Functions::upsample);
        Builtins.function("reshape", "x:tensor dims:ints", Functions::reshape);
        Builtins.function("transpose", "x:tensor perm:ints", Functions::transpose);
        Builtins.function("matmul", "a:tensor b:tensor", Functions::matmul);
        Builtins.function("sum", "x:tensor axis:axes?", a -> reduce(a, Op.ReduceFn.SUM));
        Builtins.function("mean", "x:tensor axis:axes?", a -> reduce(a, Op.ReduceFn.MEAN));
        Builtins.function("max", "x:tensor axis:axes?", a -> reduce(a, Op.ReduceFn.MAX));
    }

    static Val tensor(Value v) { return new Val.Tensor(v); }

    static Op.Unary unary(String name, double alpha) {
        return new Op.Unary(switch (name) {
            case "relu" -> Op.UnaryFn.RELU;
            case "sigmoid" -> Op.UnaryFn.SIGMOID;
            case "tanh" -> Op.UnaryFn.TANH;
            case "gelu" -> Op.UnaryFn.GELU;
            case "leaky_relu" -> Op.UnaryFn.LEAKY_RELU;
            case "exp" -> Op.UnaryFn.EXP;
            case "log" -> Op.UnaryFn.LOG;
            case "sqrt" -> Op.UnaryFn.SQRT;
            default -> throw new IllegalArgumentException("not an elementwise op: " + name);
        }, name.equals("leaky_relu") ? alpha : 0);
    }

    /** avgpool counts padding in the average as PyTorch does, except with pad=same, which excludes it as Keras does. */
    private static Val pool(Args a, boolean max) {
        Value x = a.tensor("x");
        Layers.requireImage(a, x);
        int k = a.atLeast("size", 1);
        int stride = a.has("stride") ? a.atLeast("stride", 1) : k;
        Padding p = Padding.of(a.val("pad"), x.shape().dim(2), x.shape().dim(3), k, stride, 1);
        if (2 * Math.max(p.top(), p.left()) > k && !Padding.isSame(a.val("pad")))
            throw a.errorAt("pad", a.op() + " pad=" + p.top() + " must be at most half the window size " + k);
        Op op = max ? new Op.MaxPool2d(k, stride, p.top(), p.left(), p.bottom(), p.right())
                : new Op.AvgPool2d(k, stride, p.top(), p.left(), p.bottom(), p.right(), !Padding.isSame(a.val("pad")));
        return tensor(a.add(op, x));
    }

    private static Val globalAvgPool(Args a) {
        Value x = a.tensor("x");
        Layers.requireImage(a, x);
        return tensor(a.add(new Op.Reduce(Op.ReduceFn.MEAN, List.of(2, 3), false), x));
    }

    private static Val flatten(Args a) {
        Value x = a.tensor("x");
        return tensor(a.add(new Op.Reshape(List.of(Shape.BATCH, (int) x.shape().sampleNumel())), x));
    }

    private static Val dropout(Args a) {
        double rate = a.number("rate");
        if (rate < 0 || rate >= 1) throw a.errorAt("rate", "dropout rate must be in [0, 1), got " + Val.num(rate));
        return tensor(a.add(new Op.Dropout(rate), a.tensor("x")));
    }

    private static Val concat(Args a) {
        if (a.rest.isEmpty()) throw a.error("concat needs at least one tensor");
        List<Value> xs = a.rest.stream().map(v -> ((Val.Tensor) v).value()).toList();
        for (Value x : xs)
            if (x.dtype() != xs.get(0).dtype())
                throw a.error("concat needs tensors of one element type, got " + xs.get(0).dtype().text() + " and " + x.dtype().text());
        int axis = a.val("axis") instanceof Val.Num n ? n.intValue() : 0;
        return tensor(a.em.add(a.pos, "concat", new Op.Concat(a.axis(xs.get(0), axis, "axis")), xs));
    }

    private static Val upsample(Args a) {
        Value x = a.tensor("x");
        Layers.requireImage(a, x);
        Op.UpsampleMode mode = a.sym("mode").equals("bilinear") ? Op.UpsampleMode.BILINEAR : Op.UpsampleMode.NEAREST;
        return tensor(a.add(new Op.Upsample(a.atLeast("scale", 1), mode), x));
    }

    /** Sample dimensions; one of them may be -1 and is then inferred. */
    private static Val reshape(Args a) {
        Value x = a.tensor("x");
        List<Integer> dims = ints(a.val("dims"));
        long known = 1;
        int infer = -1;
        for (int i = 0; i < dims.size(); i++) {
            int d = dims.get(i);
            if (d == -1 && infer < 0) infer = i;
            else if (d <= 0) throw a.errorAt("dims", "reshape dimensions must be positive (one may be -1), got " + dims);
            else known *= d;
        }
        long n = x.shape().sampleNumel();
        List<Integer> out = new ArrayList<>(dims);
        if (infer >= 0) {
            if (n % known != 0) throw a.errorAt("dims", "cannot reshape " + Args.shape(x) + " to " + dims);
            out.set(infer, (int) (n / known));
        }
        if (out.stream().mapToLong(Integer::longValue).reduce(1, (p, q) -> p * q) != n)
            throw a.errorAt("dims", "cannot reshape " + Args.shape(x) + " (" + n + " values) to " + dims);
        List<Integer> ir = new ArrayList<>();
        ir.add(Shape.BATCH);
        ir.addAll(out);
        return tensor(a.add(new Op.Reshape(ir), x));
    }

    private static Val transpose(Args a) {
        Value x = a.tensor("x");
        List<Integer> perm = ints(a.val("perm"));
        int r = Args.sampleRank(x);
        if (perm.size() != r || !perm.stream().sorted().toList().equals(java.util.stream.IntStream.range(0, r).boxed().toList()))
            throw a.errorAt("perm", "transpose expects a permutation of the " + r + " axes of " + Args.shape(x) + ", got " + perm);
        List<Integer> ir = new ArrayList<>();
        ir.add(0);
        for (int p : perm) ir.add(p + 1);
        return tensor(a.add(new Op.Transpose(ir), x));
    }

    /** Per-sample matrix product: [.., m, k] x [.., k, n]. */
    private static Val matmul(Args a) {
        Value x = a.tensor("a"), y = a.tensor("b");
        if (Args.sampleRank(x) < 2 || Args.sampleRank(y) < 2)
            throw a.error("matmul expects matrices [rows, columns], got " + Args.shape(x) + " and " + Args.shape(y));
        return tensor(a.add(new Op.MatMul(false, false), x, y));
    }

    /** Without axis= every sample axis is reduced: the result holds one value per sample, [N]. */
    private static Val reduce(Args a, Op.ReduceFn fn) {
        Value x = a.tensor("x");
        List<Integer> axes = new ArrayList<>();
        if (!a.has("axis")) {
            for (int i = 1; i < x.shape().rank(); i++) axes.add(i);
        } else {
            List<Integer> given = a.val("axis") instanceof Val.Num n ? List.of(n.intValue()) : ints(a.val("axis"));
            for (int g : given) {
                int ax = a.axis(x, g, "axis");
                if (axes.contains(ax)) throw a.errorAt("axis", a.op() + ": axis " + g + " given twice");
                axes.add(ax);
            }
        }
        if (axes.isEmpty()) return tensor(x);
        return tensor(a.add(new Op.Reduce(fn, axes, false), x));
    }

    static List<Integer> ints(Val v) {
        return ((Val.ListVal) v).items().stream().map(i -> ((Val.Num) i).intValue()).toList();
    }

    static boolean isFloat(Value v) { return v.dtype() == DType.F32; }
}
