package dlm.passes;

import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Type;
import dlm.ir.Value;
import dlm.ir.interp.Interpreter;
import dlm.ir.interp.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Folds a node whose inputs are all {@code fill} leaves into one {@code fill} of the node's type,
 * when its result is that one value everywhere: {@code fill 0.9 * fill 2 -> fill 1.8},
 * {@code exp(fill 0) -> fill 1}, a reshape or transpose of a fill, a sum of zeros.
 *
 * <p>Values are computed by the reference interpreter itself (in double, the value kept in the
 * {@code fill} exactly), so a folded graph computes what the unfolded one does by construction.
 * Elementwise ops and pure copies are folded at any shape (their result does not depend on the
 * batch size); any other op only when no shape involved has the batch axis, by evaluating it at
 * its real (small enough) shape and folding when every element came out the same. The inputs
 * left unused are dead code for {@link DeadCodeElimination}.
 */
public final class ConstantFolding implements Pass {
    /** Largest tensor (inputs and output) evaluated to find out whether a non-elementwise op is uniform. */
    static final long MAX_EVALUATED = 1 << 16;

    @Override public String name() { return "fold"; }

    @Override public Graph run(Graph g) {
        return GraphRewriter.rewrite(g, (rw, n) -> {
            if (n.op() instanceof Op.Leaf) return false;
            List<Value> in = rw.inputs(n);
            double[] vals = new double[in.size()];
            for (int i = 0; i < vals.length; i++) {
                if (!(rw.target().producer(in.get(i)).op() instanceof Op.Fill f)) return false;
                vals[i] = f.value();
            }
            Double r = fold(n, vals);
            if (r == null) return false;
            rw.put(n.out(), rw.target().addLeaf(new Op.Fill(r), n.out().type()));
            return true;
        });
    }

    /** The uniform value of n given uniform inputs, or null when it is not (known to be) uniform. */
    static Double fold(Node n, double[] vals) {
        return switch (n.op()) {
            case Op.Leaf _ -> null;
            // a fresh random mask every run: never a constant
            case Op.DropoutMask _ -> null;
            // layer ops are lowered before this pass runs; the interpreter does not know them
            case Op.BatchNorm _, Op.LayerNorm _, Op.Dropout _, Op.Lstm _, Op.Loss _ -> null;
            // one output element from the same-position elements of the inputs: a 1-element evaluation is exact
            case Op.Unary _, Op.UnaryGrad _, Op.Binary _, Op.BinaryCrossEntropy _, Op.BinaryCrossEntropyGrad _ ->
                    evaluate(n.op(), vals, n.inputs().stream().map(v -> new int[] {1}).toList(), new int[] {1});
            // every output element is a copy of an input element
            case Op.Reshape _, Op.Transpose _, Op.Slice _ -> vals[0];
            case Op.Upsample u when u.mode() == Op.UpsampleMode.NEAREST -> vals[0];
            case Op.Concat _ -> allSame(vals) ? vals[0] : null;
            // reductions, sum_to, matmul, convolutions, pools, softmax ...: evaluated when fully static
            default -> staticEvaluation(n, vals);
        };
    }

    private static Double staticEvaluation(Node n, double[] vals) {
        List<Type> types = new ArrayList<>(n.inputs().stream().map(Value::type).toList());
        types.add(n.out().type());
        for (Type t : types)
            if (t.shape().hasBatch() || t.shape().numel(1) > MAX_EVALUATED) return null;
        return evaluate(n.op(), vals, n.inputs().stream().map(v -> v.shape().toArray()).toList(), n.out().shape().toArray());
    }

    private static Double evaluate(Op op, double[] vals, List<int[]> inShapes, int[] outShape) {
        List<Tensor> in = new ArrayList<>();
        for (int i = 0; i < vals.length; i++) {
            double[] d = new double[Tensor.numel(inShapes.get(i))];
            java.util.Arrays.fill(d, vals[i]);
            in.add(new Tensor(inShapes.get(i), d));
        }
        double[] out;
        try {
            out = Interpreter.apply(op, in, outShape, new SplittableRandom(0)).data();
        } catch (RuntimeException e) {
            return null; // not evaluable here (say, class ids out of range): leave it to run time
        }
        return out.length > 0 && allSame(out) ? out[0] : null;
    }

    /** Equal as Double.equals sees it: NaN equals NaN, 0.0 differs from -0.0. */
    private static boolean allSame(double[] d) {
        for (double x : d) if (Double.compare(x, d[0]) != 0) return false;
        return true;
    }
}
