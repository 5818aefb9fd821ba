package dlm.frontend;

import static dlm.ir.Op.Init.NORMAL;
import static dlm.ir.Op.Init.ONES;
import static dlm.ir.Op.Init.UNIFORM_FAN_IN;
import static dlm.ir.Op.Init.ZEROS;
import static dlm.ir.Op.ParamKind.BUFFER;
import static dlm.ir.Op.ParamKind.WEIGHT;

import java.util.List;

import dlm.ir.Op;
import dlm.ir.Value;

/**
 * Layers: ops that own parameters, named and laid out as PyTorch's modules so a
 * {@code state_dict} loads by name, and initialized as PyTorch initializes them.
 */
final class Layers {
    private Layers() {}

    static void register() {
        Builtins.layer("dense", "x:tensor units:int activation:act=none bias:bool=true", Layers::dense);
        Builtins.layer("conv2d", "x:tensor filters:int kernel:int stride:int=1 pad:pad=valid dilation:int=1 groups:int=1 bias:bool=true activation:act=none", Layers::conv2d);
        Builtins.layer("conv_transpose2d", "x:tensor filters:int kernel:int stride:int=1 pad:int=0 bias:bool=true activation:act=none", Layers::convTranspose2d);
        Builtins.layer("batchnorm", "x:tensor momentum:num=0.1 eps:num=1e-5", Layers::batchnorm);
        Builtins.layer("layernorm", "x:tensor eps:num=1e-5", Layers::layernorm);
        Builtins.layer("embedding", "ids:ids vocab:int dim:int", Layers::embedding);
        Builtins.layer("lstm", "x:tensor units:int return_sequences:bool=false", Layers::lstm);
    }

    /** PyTorch's Linear over the last axis: y = x W^T + b, W [units, in]. On [C, H, W] it acts on W, as Linear does. */
    static Val dense(Args a) {
        Value x = a.tensor("x");
        if (Args.sampleRank(x) < 1) throw a.error("dense expects [..., features], got " + Args.shape(x));
        int units = a.atLeast("units", 1);
        int in = x.shape().dim(-1);
        String name = a.layerName();
        Value w = a.em.param(name, "weight", WEIGHT, UNIFORM_FAN_IN, in, units, in);
        Value y = a.add(new Op.MatMul(false, true), x, w);
        if (a.bool("bias")) y = a.add(new Op.Binary(Op.BinaryFn.ADD), y, a.em.param(name, "bias", WEIGHT, UNIFORM_FAN_IN, in, units));
        return new Val.Tensor(activation(a, y, true));
    }

    static Val conv2d(Args a) {
        Value x = a.tensor("x");
        requireImage(a, x);
        int filters = a.atLeast("filters", 1), k = a.atLeast("kernel", 1), stride = a.atLeast("stride", 1);
        int dilation = a.atLeast("dilation", 1), groups = a.atLeast("groups", 1);
        int c = x.shape().dim(1);
        if (c % groups != 0) throw a.errorAt("groups", "conv2d groups=" + groups + " does not divide the " + c + " input channels");
        if (filters % groups != 0) throw a.errorAt("groups", "conv2d groups=" + groups + " does not divide filters=" + filters);
        Padding p = Padding.of(a.val("pad"), x.shape().dim(2), x.shape().dim(3), k, stride, dilation);
        String name = a.layerName();
        int fanIn = c / groups * k * k;
        Value w = a.em.param(name, "weight", WEIGHT, UNIFORM_FAN_IN, fanIn, filters, c / groups, k, k);
        Value y = a.add(new Op.Conv2d(stride, dilation, groups, p.top(), p.left(), p.bottom(), p.right()), x, w);
        if (a.bool("bias")) y = addChannelBias(a, y, a.em.param(name, "bias", WEIGHT, UNIFORM_FAN_IN, fanIn, filters), filters);
        return new Val.Tensor(activation(a, y, false));
    }

    /**
     * The transposed convolution is the gradient of a convolution with respect to its input;
     * the weight is [C_in, filters, k, k] as in PyTorch's ConvTranspose2d, whose fan-in is
     * computed from dimension 1 (filters * k * k).
     */
    static Val convTranspose2d(Args a) {
        Value x = a.tensor("x");
        requireImage(a, x);
        int filters = a.atLeast("filters", 1), k = a.atLeast("kernel", 1), stride = a.atLeast("stride", 1);
        int pad = a.atLeast("pad", 0);
        int c = x.shape().dim(1), h = x.shape().dim(2), wd = x.shape().dim(3);
        int oh = (h - 1) * stride - 2 * pad + k, ow = (wd - 1) * stride - 2 * pad + k;
        if (oh <= 0 || ow <= 0) throw a.errorAt("pad", "conv_transpose2d: pad=" + pad + " leaves no output for " + Args.shape(x));
        String name = a.layerName();
        int fanIn = filters * k * k;
        Value w = a.em.param(name, "weight", WEIGHT, UNIFORM_FAN_IN, fanIn, c, filters, k, k);
        Value y = a.add(new Op.Conv2dGradInput(stride, 1, 1, pad, pad, pad, pad, oh, ow), x, w);
        if (a.bool("bias")) y = addChannelBias(a, y, a.em.param(name, "bias", WEIGHT, UNIFORM_FAN_IN, fanIn, filters), filters);
        return new Val.Tensor(activation(a, y, false));
    }

    /** Adds bias [F] to [N, F, H, W]: reshaped to [F, 1, 1] so that broadcasting lines it up with channels. */
    private static Value addChannelBias(Args a, Value y, Value bias, int filters) {
        Value b = a.add(new Op.Reshape(List.of(filters, 1, 1)), bias);
        return a.add(new Op.Binary(Op.BinaryFn.ADD), y, b);
    }

    static Val batchnorm(Args a) {
        Value x = a.tensor("x");
        if (Args.sampleRank(x) < 1) throw a.error("batchnorm expects [channels, ...], got " + Args.shape(x));
        int c = x.shape().dim(1);
        String name = a.layerName();
        Value w = a.em.param(name, "weight", WEIGHT, ONES, 0, c);
        Value b = a.em.param(name, "bias", WEIGHT, ZEROS, 0, c);
        Value mean = a.em.param(name, "running_mean", BUFFER, ZEROS, 0, c);
        Value var = a.em.param(name, "running_var", BUFFER, ONES, 0, c);
        return new Val.Tensor(a.add(new Op.BatchNorm(a.number("eps"), a.number("momentum")), x, w, b, mean, var));
    }

    static Val layernorm(Args a) {
        Value x = a.tensor("x");
        if (Args.sampleRank(x) < 1) throw a.error("layernorm expects [..., features], got " + Args.shape(x));
        int d = x.shape().dim(-1);
        String name = a.layerName();
        Value w = a.em.param(name, "weight", WEIGHT, ONES, 0, d);
        Value b = a.em.param(name, "bias", WEIGHT, ZEROS, 0, d);
        return new Val.Tensor(a.add(new Op.LayerNorm(a.number("eps")), x, w, b));
    }

    static Val embedding(Args a) {
        Value ids = a.tensor("ids");
        int vocab = a.atLeast("vocab", 1), dim = a.atLeast("dim", 1);
        String name = a.layerName();
        Value w = a.em.param(name, "weight", WEIGHT, NORMAL, 0, vocab, dim);
        return new Val.Tensor(a.add(new Op.Embedding(), w, ids));
    }

    /** PyTorch's single-layer LSTM; every weight and bias is U(-1/sqrt(H), 1/sqrt(H)). */
    static Val lstm(Args a) {
        Value x = a.tensor("x");
        if (Args.sampleRank(x) != 2) throw a.error("lstm expects [time, features], got " + Args.shape(x));
        int units = a.atLeast("units", 1), f = x.shape().dim(-1);
        String name = a.layerName();
        Value wih = a.em.param(name, "weight_ih_l0", WEIGHT, UNIFORM_FAN_IN, units, 4 * units, f);
        Value whh = a.em.param(name, "weight_hh_l0", WEIGHT, UNIFORM_FAN_IN, units, 4 * units, units);
        Value bih = a.em.param(name, "bias_ih_l0", WEIGHT, UNIFORM_FAN_IN, units, 4 * units);
        Value bhh = a.em.param(name, "bias_hh_l0", WEIGHT, UNIFORM_FAN_IN, units, 4 * units);
        return new Val.Tensor(a.add(new Op.Lstm(units, a.bool("return_sequences")), x, wih, whh, bih, bhh));
    }

    static void requireImage(Args a, Value x) {
        if (Args.sampleRank(x) != 3) throw a.error(a.op() + " expects [channels, height, width], got " + Args.shape(x));
    }

    /** {@code activation=}: an elementwise op after the layer; softmax only where the last axis is the features (dense). */
    private static Value activation(Args a, Value y, boolean lastAxisIsFeatures) {
        String act = a.sym("activation");
        if (act == null || act.equals("none") || act.equals("linear")) return y;
        if (act.equals("softmax")) {
            if (!lastAxisIsFeatures) throw a.errorAt("activation", a.op() + " cannot take activation=softmax; apply softmax(axis=0) after it");
            return a.add(new Op.Softmax(-1), y);
        }
        return a.add(Functions.unary(act, 0.01), y);
    }
}
