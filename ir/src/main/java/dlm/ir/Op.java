package dlm.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * Every operation of the IR. Each op is a record whose components are its attributes, so the
 * textual IR can print and parse any op generically (name = snake_case of the record name).
 *
 * <p>Three groups: leaves (no inputs; the node carries their type), primitives (what the
 * interpreter and the backends execute), and layer ops (batchnorm, layernorm, dropout, lstm,
 * losses) that the frontend emits and the {@code lower} pass rewrites into primitives for
 * training or for inference. Adding an op: see docs/ADDING-AN-OP.md.
 */
public sealed interface Op {

    /** Output type given the input types; throws {@link ShapeException} when they do not fit. */
    Type infer(List<Type> in);

    /** Number of inputs, or -1 when variadic. */
    int arity();

    default String opName() { return snakeCase(getClass().getSimpleName()); }

    static String snakeCase(String camel) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0 && !Character.isDigit(camel.charAt(i - 1))) sb.append('_');
                sb.append(Character.toLowerCase(c));
            } else sb.append(c);
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ enums used as attributes

    enum ParamKind { WEIGHT, BUFFER, STATE }          // trainable weight; saved buffer; optimizer state
    enum Init { ZEROS, ONES, UNIFORM_FAN_IN, NORMAL } // UNIFORM_FAN_IN: U(-1/sqrt(fanIn), 1/sqrt(fanIn)), PyTorch's default
    enum UnaryFn { NEG, RELU, SIGMOID, TANH, GELU, LEAKY_RELU, EXP, LOG, LOG1P, SQRT, RSQRT, ABS, SQUARE, IDENTITY }
    enum BinaryFn { ADD, SUB, MUL, DIV, MAX, MIN }
    enum ReduceFn { SUM, MEAN, MAX, VAR_UNBIASED }     // VAR_UNBIASED has no gradient (running statistics only)
    enum UpsampleMode { NEAREST, BILINEAR }
    enum LossFn { BINARY_CROSS_ENTROPY, BINARY_CROSS_ENTROPY_WITH_LOGITS, CROSS_ENTROPY, MSE }

    // ------------------------------------------------------------------ leaves

    /** A model input fed at run time. */
    record Input(String name) implements Leaf {}
    /** A label tensor fed with each training batch. */
    record Target(String name) implements Leaf {}
    /** Named state: a weight, a buffer (running statistics) or optimizer state. */
    record Param(String name, ParamKind kind, Init init, int fanIn) implements Leaf {}
    /** A tensor filled with one value (a scalar when the node's shape is []). */
    record Fill(double value) implements Leaf {}

    sealed interface Leaf extends Op permits Input, Target, Param, Fill {
        default Type infer(List<Type> in) { throw new IllegalStateException(opName() + " is a leaf: its node carries its type"); }
        default int arity() { return 0; }
    }

    // ------------------------------------------------------------------ elementwise

    /** y = fn(x); alpha is the slope of LEAKY_RELU and ignored otherwise. */
    record Unary(UnaryFn fn, double alpha) implements Op {
        public Type infer(List<Type> in) { return in.get(0); }
        public int arity() { return 1; }
    }

    /** dx = dy * fn'(x). Inputs: dy, x. */
    record UnaryGrad(UnaryFn fn, double alpha) implements Op {
        public Type infer(List<Type> in) { Shapes.same("unary_grad", in.get(0), in.get(1)); return in.get(1); }
        public int arity() { return 2; }
    }

    /** Elementwise with NumPy broadcasting. */
    record Binary(BinaryFn fn) implements Op {
        public Type infer(List<Type> in) {
            return new Type(in.get(0).dtype(), Shapes.broadcast(in.get(0).shape(), in.get(1).shape()));
        }
        public int arity() { return 2; }
    }

    /**
     * Elementwise binary cross-entropy -(y log p + (1-y) log(1-p)), each log clamped at -100
     * as PyTorch does. A primitive (not built from log and max) because its gradient must stay
     * finite when p reaches 0 or 1. Inputs: p, y of the same shape.
     */
    record BinaryCrossEntropy() implements Op {
        public Type infer(List<Type> in) {
            if (!in.get(0).shape().equals(in.get(1).shape()))
                throw new ShapeException("binary_cross_entropy expects prediction and target of the same shape, got "
                        + in.get(0).shape().sampleString() + " and " + in.get(1).shape().sampleString());
            return in.get(0);
        }
        public int arity() { return 2; }
    }

    /** PyTorch's gradient of binary cross-entropy: dy (p - y) / max(p (1 - p), 1e-12). Inputs: dy, p, y. */
    record BinaryCrossEntropyGrad() implements Op {
        public Type infer(List<Type> in) { return in.get(1); }
        public int arity() { return 3; }
    }

    // ------------------------------------------------------------------ linear algebra

    /**
     * Matrix product over the last two axes. When b has rank 2 it is shared by every leading
     * index of a (a dense layer); otherwise leading axes must be equal (a batched product).
     */
    record MatMul(boolean transA, boolean transB) implements Op {
        public Type infer(List<Type> in) { return Type.f32(Shapes.matmul(in.get(0).shape(), in.get(1).shape(), transA, transB)); }
        public int arity() { return 2; }
    }

    // ------------------------------------------------------------------ convolution and pooling (NCHW)

    /** Inputs: x [N, C, H, W], w [F, C/groups, kh, kw]. */
    record Conv2d(int stride, int dilation, int groups, int padTop, int padLeft, int padBottom, int padRight) implements Op {
        public Type infer(List<Type> in) {
            Shape x = in.get(0).shape(), w = in.get(1).shape();
            Shapes.rank("conv2d input", x, 4);
            Shapes.rank("conv2d weight", w, 4);
            if (x.dim(1) != w.dim(1) * groups)
                throw new ShapeException("conv2d weight " + w + " expects " + (w.dim(1) * groups) + " input channels, got " + x.dim(1));
            int oh = Shapes.convOut(x.dim(2), w.dim(2), stride, dilation, padTop + padBottom);
            int ow = Shapes.convOut(x.dim(3), w.dim(3), stride, dilation, padLeft + padRight);
            return Type.f32(new Shape(List.of(x.dim(0), w.dim(0), oh, ow)));
        }
        public int arity() { return 2; }
    }

    /** Gradient of conv2d with respect to its input (also conv_transpose2d). Inputs: dy, w. */
    record Conv2dGradInput(int stride, int dilation, int groups, int padTop, int padLeft, int padBottom, int padRight, int inH, int inW) implements Op {
        public Type infer(List<Type> in) {
            Shape dy = in.get(0).shape(), w = in.get(1).shape();
            Shapes.rank("conv2d_grad_input dy", dy, 4);
            Shapes.rank("conv2d_grad_input weight", w, 4);
            if (dy.dim(1) != w.dim(0)) throw new ShapeException("conv2d_grad_input: dy " + dy + " does not match weight " + w);
            return Type.f32(new Shape(List.of(dy.dim(0), w.dim(1) * groups, inH, inW)));
        }
        public int arity() { return 2; }
    }

    /** Gradient of conv2d with respect to its weight. Inputs: dy, x. */
    record Conv2dGradWeight(int stride, int dilation, int groups, int padTop, int padLeft, int padBottom, int padRight, int kh, int kw) implements Op {
        public Type infer(List<Type> in) {
            Shape dy = in.get(0).shape(), x = in.get(1).shape();
            Shapes.rank("conv2d_grad_weight dy", dy, 4);
            Shapes.rank("conv2d_grad_weight x", x, 4);
            return Type.f32(Shape.of(dy.dim(1), x.dim(1) / groups, kh, kw));
        }
        public int arity() { return 2; }
    }

    /** Padding positions are ignored (as PyTorch's -inf padding). */
    record MaxPool2d(int kernel, int stride, int padTop, int padLeft, int padBottom, int padRight) implements Op {
        public Type infer(List<Type> in) { return Shapes.pool("maxpool", in.get(0), kernel, stride, padTop + padBottom, padLeft + padRight); }
        public int arity() { return 1; }
    }

    /** Inputs: dy, x. The gradient goes to the first maximum of each window. */
    record MaxPool2dGrad(int kernel, int stride, int padTop, int padLeft, int padBottom, int padRight) implements Op {
        public Type infer(List<Type> in) { return in.get(1); }
        public int arity() { return 2; }
    }

    record AvgPool2d(int kernel, int stride, int padTop, int padLeft, int padBottom, int padRight, boolean countIncludePad) implements Op {
        public Type infer(List<Type> in) { return Shapes.pool("avgpool", in.get(0), kernel, stride, padTop + padBottom, padLeft + padRight); }
        public int arity() { return 1; }
    }

    /** Input: dy. */
    record AvgPool2dGrad(int kernel, int stride, int padTop, int padLeft, int padBottom, int padRight, boolean countIncludePad, int inH, int inW) implements Op {
        public Type infer(List<Type> in) {
            Shape dy = in.get(0).shape();
            return Type.f32(new Shape(List.of(dy.dim(0), dy.dim(1), inH, inW)));
        }
        public int arity() { return 1; }
    }

    /** Input [N, C, H, W]. */
    record Upsample(int scale, UpsampleMode mode) implements Op {
        public Type infer(List<Type> in) {
            Shape x = in.get(0).shape();
            Shapes.rank("upsample", x, 4);
            return Type.f32(new Shape(List.of(x.dim(0), x.dim(1), x.dim(2) * scale, x.dim(3) * scale)));
        }
        public int arity() { return 1; }
    }

    /** Input: dy. */
    record UpsampleGrad(int scale, UpsampleMode mode) implements Op {
        public Type infer(List<Type> in) {
            Shape dy = in.get(0).shape();
            return Type.f32(new Shape(List.of(dy.dim(0), dy.dim(1), dy.dim(2) / scale, dy.dim(3) / scale)));
        }
        public int arity() { return 1; }
    }

    // ------------------------------------------------------------------ channels-last (NHWC) variants

    /**
     * A convolution or pooling op that reads and writes activations in NHWC (channels last)
     * instead of NCHW. Only the channels-last pass creates them; users never write them.
     * Weights stay OIHW (as saved and as PyTorch has them): the kernels read them in place.
     * Each is defined as its NCHW twin ({@link #nchw()}) with the activation inputs and output
     * permuted, which is the whole of its shape rule and of its reference semantics.
     */
    sealed interface ChannelsLast extends Op
            permits Conv2dNhwc, Conv2dNhwcGradInput, Conv2dNhwcGradWeight, MaxPool2dNhwc, MaxPool2dNhwcGrad, AvgPool2dNhwc, AvgPool2dNhwcGrad {
        /** NCHW to NHWC, and back. */
        List<Integer> TO_NHWC = List.of(0, 2, 3, 1);
        List<Integer> TO_NCHW = List.of(0, 3, 1, 2);

        /** The same op in NCHW. */
        Op nchw();
        /** Whether input i is an activation (NHWC here) rather than a weight (OIHW in both). */
        default boolean activationInput(int i) { return true; }
        /** Whether the output is an activation (NHWC here) rather than a weight gradient. */
        default boolean activationOutput() { return true; }

        default int arity() { return nchw().arity(); }

        default Type infer(List<Type> in) {
            List<Type> nchwIn = new ArrayList<>();
            for (int i = 0; i < in.size(); i++) {
                Type t = in.get(i);
                if (activationInput(i)) {
                    Shapes.rank(opName() + " input", t.shape(), 4);
                    t = t.withShape(Shapes.transpose(t.shape(), TO_NCHW));
                }
                nchwIn.add(t);
            }
            Type out = nchw().infer(nchwIn);
            return activationOutput() ? out.withShape(Shapes.transpose(out.shape(), TO_NHWC)) : out;
        }
    }

    /** Inputs: x [N, H, W, C], w [F, C/groups, kh, kw] (OIHW). Output [N, oh, ow, F]. */
    record Conv2dNhwc(int stride, int dilation, int groups, int padTop, int padLeft, int padBottom, int padRight) implements ChannelsLast {
        public Op nchw() { return new Conv2d(stride, dilation, groups, padTop, padLeft, padBottom, padRight); }
        public boolean activationInput(int i) { return i == 0; }
    }

    /** Inputs: dy [N, oh, ow, F], w (OIHW). Output dx [N, H, W, C]. */
    record Conv2dNhwcGradInput(int stride, int dilation, int groups, int padTop, int padLeft, int padBottom, int padRight, int inH, int inW) implements ChannelsLast {
        public Op nchw() { return new Conv2dGradInput(stride, dilation, groups, padTop, padLeft, padBottom, padRight, inH, inW); }
        public boolean activationInput(int i) { return i == 0; }
    }

    /** Inputs: dy [N, oh, ow, F], x [N, H, W, C]. Output dw (OIHW). */
    record Conv2dNhwcGradWeight(int stride, int dilation, int groups, int padTop, int padLeft, int padBottom, int padRight, int kh, int kw) implements ChannelsLast {
        public Op nchw() { return new Conv2dGradWeight(stride, dilation, groups, padTop, padLeft, padBottom, padRight, kh, kw); }
        public boolean activationOutput() { return false; }
    }

    record MaxPool2dNhwc(int kernel, int stride, int padTop, int padLeft, int padBottom, int padRight) implements ChannelsLast {
        public Op nchw() { return new MaxPool2d(kernel, stride, padTop, padLeft, padBottom, padRight); }
    }

    /** Inputs: dy, x (both NHWC). */
    record MaxPool2dNhwcGrad(int kernel, int stride, int padTop, int padLeft, int padBottom, int padRight) implements ChannelsLast {
        public Op nchw() { return new MaxPool2dGrad(kernel, stride, padTop, padLeft, padBottom, padRight); }
    }

    record AvgPool2dNhwc(int kernel, int stride, int padTop, int padLeft, int padBottom, int padRight, boolean countIncludePad) implements ChannelsLast {
        public Op nchw() { return new AvgPool2d(kernel, stride, padTop, padLeft, padBottom, padRight, countIncludePad); }
    }

    /** Input: dy (NHWC). */
    record AvgPool2dNhwcGrad(int kernel, int stride, int padTop, int padLeft, int padBottom, int padRight, boolean countIncludePad, int inH, int inW) implements ChannelsLast {
        public Op nchw() { return new AvgPool2dGrad(kernel, stride, padTop, padLeft, padBottom, padRight, countIncludePad, inH, inW); }
    }

    // ------------------------------------------------------------------ reductions and softmax

    /** Reduces the given absolute axes (the batch axis is axis 0 when present). */
    record Reduce(ReduceFn fn, List<Integer> axes, boolean keepDims) implements Op {
        public Reduce { axes = List.copyOf(axes); }
        public Type infer(List<Type> in) { return Type.f32(Shapes.reduce(in.get(0).shape(), axes, keepDims)); }
        public int arity() { return 1; }
    }

    /** Inputs: dy, x, y. */
    record ReduceGrad(ReduceFn fn, List<Integer> axes, boolean keepDims) implements Op {
        public ReduceGrad { axes = List.copyOf(axes); }
        public Type infer(List<Type> in) { return in.get(1); }
        public int arity() { return 3; }
    }

    /** Sums dy over broadcast axes down to the given shape (the gradient of broadcasting). */
    record SumTo(List<Integer> dims) implements Op {
        public SumTo { dims = List.copyOf(dims); }
        public Type infer(List<Type> in) { return Type.f32(new Shape(dims)); }
        public int arity() { return 1; }
    }

    record Softmax(int axis) implements Op {
        public Type infer(List<Type> in) { in.get(0).shape().axis(axis); return in.get(0); }
        public int arity() { return 1; }
    }

    record LogSoftmax(int axis) implements Op {
        public Type infer(List<Type> in) { in.get(0).shape().axis(axis); return in.get(0); }
        public int arity() { return 1; }
    }

    /** Inputs: dy, y (the softmax output). */
    record SoftmaxGrad(int axis) implements Op {
        public Type infer(List<Type> in) { return in.get(1); }
        public int arity() { return 2; }
    }

    /** Inputs: dy, y (the log_softmax output). */
    record LogSoftmaxGrad(int axis) implements Op {
        public Type infer(List<Type> in) { return in.get(1); }
        public int arity() { return 2; }
    }

    // ------------------------------------------------------------------ data movement

    /** dims may start with -1, the batch dimension. */
    record Reshape(List<Integer> dims) implements Op {
        public Reshape { dims = List.copyOf(dims); }
        public Type infer(List<Type> in) {
            Shape x = in.get(0).shape(), y = new Shape(dims);
            if (x.hasBatch() != y.hasBatch() || x.sampleNumel() != y.sampleNumel())
                throw new ShapeException("cannot reshape " + x + " to " + y);
            return in.get(0).withShape(y);
        }
        public int arity() { return 1; }
    }

    record Transpose(List<Integer> perm) implements Op {
        public Transpose { perm = List.copyOf(perm); }
        public Type infer(List<Type> in) { return in.get(0).withShape(Shapes.transpose(in.get(0).shape(), perm)); }
        public int arity() { return 1; }
    }

    /** Variadic: all inputs equal except along axis. */
    record Concat(int axis) implements Op {
        public Type infer(List<Type> in) { return in.get(0).withShape(Shapes.concat(in.stream().map(Type::shape).toList(), axis)); }
        public int arity() { return -1; }
    }

    /** x[..., start:end, ...] along axis. */
    record Slice(int axis, int start, int end) implements Op {
        public Type infer(List<Type> in) {
            Shape x = in.get(0).shape();
            int a = x.axis(axis);
            if (start < 0 || end > x.dim(a) || start >= end) throw new ShapeException("slice " + start + ".." + end + " out of range for axis " + axis + " of " + x);
            return in.get(0).withShape(x.with(a, end - start));
        }
        public int arity() { return 1; }
    }

    /** The gradient of slice: dy placed at start along axis, zeros elsewhere, total size along axis. */
    record SliceGrad(int axis, int start, int size) implements Op {
        public Type infer(List<Type> in) { Shape dy = in.get(0).shape(); return in.get(0).withShape(dy.with(dy.axis(axis), size)); }
        public int arity() { return 1; }
    }

    /** Inputs: weight [V, D], ids (i32). Output: ids' shape + [D]. */
    record Embedding() implements Op {
        public Type infer(List<Type> in) {
            Shape w = in.get(0).shape(), ids = in.get(1).shape();
            Shapes.rank("embedding weight", w, 2);
            List<Integer> d = new ArrayList<>(ids.dims());
            d.add(w.dim(1));
            return Type.f32(new Shape(d));
        }
        public int arity() { return 2; }
    }

    /** Inputs: dy, ids. Output [vocab, D]. */
    record EmbeddingGrad(int vocab) implements Op {
        public Type infer(List<Type> in) { return Type.f32(Shape.of(vocab, in.get(0).shape().dim(-1))); }
        public int arity() { return 2; }
    }

    /** Integer class ids to a one-hot f32 tensor with a trailing axis of the given size. */
    record OneHot(int classes) implements Op {
        public Type infer(List<Type> in) {
            List<Integer> d = new ArrayList<>(in.get(0).shape().dims());
            d.add(classes);
            return Type.f32(new Shape(d));
        }
        public int arity() { return 1; }
    }

    /** A fresh random mask like x: 0 with probability rate, else 1/(1-rate). */
    record DropoutMask(double rate) implements Op {
        public Type infer(List<Type> in) { return Type.f32(in.get(0).shape()); }
        public int arity() { return 1; }
    }

    // ------------------------------------------------------------------ layer ops (lowered by the lower pass)

    /** Inputs: x [N, C, ...], weight [C], bias [C], running_mean [C], running_var [C]. */
    record BatchNorm(double eps, double momentum) implements Op {
        public Type infer(List<Type> in) {
            Shape x = in.get(0).shape();
            if (x.rank() < 2) throw new ShapeException("batchnorm expects [channels, ...], got " + x.sampleString());
            for (int i = 1; i < 5; i++) Shapes.same("batchnorm parameter", in.get(i), Type.f32(Shape.of(x.dim(1))));
            return in.get(0);
        }
        public int arity() { return 5; }
    }

    /** Inputs: x [..., D], weight [D], bias [D]. */
    record LayerNorm(double eps) implements Op {
        public Type infer(List<Type> in) { return in.get(0); }
        public int arity() { return 3; }
    }

    /** Identity in inference; x * dropout_mask in training. */
    record Dropout(double rate) implements Op {
        public Type infer(List<Type> in) { return in.get(0); }
        public int arity() { return 1; }
    }

    /** Inputs: x [N, T, F], weight_ih [4H, F], weight_hh [4H, H], bias_ih [4H], bias_hh [4H]. Gates i, f, g, o. */
    record Lstm(int units, boolean returnSequences) implements Op {
        public Type infer(List<Type> in) {
            Shape x = in.get(0).shape();
            if (x.rank() != 3) throw new ShapeException("lstm expects [time, features], got " + x.sampleString());
            return Type.f32(returnSequences ? new Shape(List.of(x.dim(0), x.dim(1), units)) : new Shape(List.of(x.dim(0), units)));
        }
        public int arity() { return 5; }
    }

    /** A loss averaged over the batch: a scalar. Inputs: prediction, target. */
    record Loss(LossFn fn) implements Op {
        public Type infer(List<Type> in) {
            Shape p = in.get(0).shape(), y = in.get(1).shape();
            if (fn == LossFn.CROSS_ENTROPY && in.get(1).dtype() == DType.I32) {
                if (p.rank() != 2 || y.rank() != 1) throw new ShapeException("cross_entropy expects logits [classes] and class ids, got " + p.sampleString() + " and " + y.sampleString());
            } else if (!p.equals(y)) {
                throw new ShapeException(opName(fn) + " expects prediction and target of the same shape, got " + p.sampleString() + " and " + y.sampleString());
            }
            return Type.f32(Shape.SCALAR);
        }
        private static String opName(LossFn fn) { return fn.name().toLowerCase(); }
        public int arity() { return 2; }
    }
}
