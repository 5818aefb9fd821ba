package dlm.ir;

import dlm.ir.Op.*;
import java.util.List;

/** A graph that uses every op of Op.java at least once, with valid types: for the text and verifier tests. */
public final class AllOps {
    private AllOps() {}

    public static Graph graph() {
        Graph g = new Graph("all_ops");
        Value x = g.addLeaf(new Input("x"), Type.f32(Shape.batched(List.of(3, 6, 6))));
        Value ids = g.addLeaf(new Input("ids"), new Type(DType.I32, Shape.batched(List.of(4))));
        Value y = g.addLeaf(new Target("y"), new Type(DType.I32, Shape.batched(List.of())));
        Value w = g.addLeaf(new Param("layer1.0.conv1.weight", ParamKind.WEIGHT, Init.UNIFORM_FAN_IN, 27), Type.f32(4, 3, 3, 3));
        Value bias = g.addLeaf(new Fill(0.1), Type.f32(4, 1, 1));
        g.addLeaf(new Fill(Double.NEGATIVE_INFINITY), Type.f32());
        g.addLeaf(new Fill(1e-8), Type.f32(2));
        g.addLeaf(new Fill(Double.NaN), Type.f32(1));

        Value conv = g.add(new Conv2d(1, 1, 1, 1, 1, 1, 1), x, w);
        Value act = g.add(new Unary(UnaryFn.LEAKY_RELU, 0.01), g.add(new Binary(BinaryFn.ADD), conv, bias));
        g.add(new UnaryGrad(UnaryFn.GELU, 0.0), act, conv);
        Value prob = g.add(new Unary(UnaryFn.SIGMOID, 0.0), conv);
        Value bce = g.add(new BinaryCrossEntropy(), prob, prob);
        g.add(new BinaryCrossEntropyGrad(), bce, prob, prob);
        g.add(new Conv2dGradInput(1, 1, 1, 1, 1, 1, 1, 6, 6), conv, w);
        Value dw = g.add(new Conv2dGradWeight(1, 1, 1, 1, 1, 1, 1, 3, 3), conv, x);
        Value mp = g.add(new MaxPool2d(2, 2, 0, 0, 0, 0), act);
        g.add(new MaxPool2dGrad(2, 2, 0, 0, 0, 0), mp, act);
        Value ap = g.add(new AvgPool2d(3, 2, 1, 1, 1, 1, false), act);
        g.add(new AvgPool2dGrad(3, 2, 1, 1, 1, 1, false, 6, 6), ap);
        Value xl = g.add(new Transpose(ChannelsLast.TO_NHWC), x);
        Value convl = g.add(new Conv2dNhwc(1, 1, 1, 1, 1, 1, 1), xl, w);
        g.add(new Conv2dNhwcGradInput(1, 1, 1, 1, 1, 1, 1, 6, 6), convl, w);
        g.add(new Conv2dNhwcGradWeight(1, 1, 1, 1, 1, 1, 1, 3, 3), convl, xl);
        Value mpl = g.add(new MaxPool2dNhwc(2, 2, 0, 0, 0, 0), convl);
        g.add(new MaxPool2dNhwcGrad(2, 2, 0, 0, 0, 0), mpl, convl);
        Value apl = g.add(new AvgPool2dNhwc(3, 2, 1, 1, 1, 1, true), convl);
        g.add(new AvgPool2dNhwcGrad(3, 2, 1, 1, 1, 1, true, 6, 6), apl);
        Value up = g.add(new Upsample(2, UpsampleMode.BILINEAR), mp);
        g.add(new UpsampleGrad(2, UpsampleMode.NEAREST), up);
        Value red = g.add(new Reduce(ReduceFn.MEAN, List.of(2, 3), false), act);
        g.add(new ReduceGrad(ReduceFn.MEAN, List.of(2, 3), false), red, act, red);
        g.add(new SumTo(List.of(4, 1, 1)), act);
        Value sm = g.add(new Softmax(-1), red);
        Value lsm = g.add(new LogSoftmax(1), red);
        g.add(new SoftmaxGrad(-1), red, sm);
        g.add(new LogSoftmaxGrad(1), red, lsm);
        Value flat = g.add(new Reshape(List.of(-1, 4, 9)), mp);
        g.add(new Transpose(List.of(0, 2, 1)), flat);
        Value cat = g.add(new Concat(1), red, sm, lsm);
        Value sl = g.add(new Slice(1, 2, 6), cat);
        g.add(new SliceGrad(1, 2, 12), sl);
        Value emb = g.addLeaf(new Param("emb.weight", ParamKind.WEIGHT, Init.NORMAL, 0), Type.f32(10, 5));
        Value e = g.add(new Embedding(), emb, ids);
        g.add(new EmbeddingGrad(10), e, ids);
        Value oh = g.add(new OneHot(4), y);
        g.add(new DropoutMask(0.5), red);
        Value dense = g.addLeaf(new Param("head.weight", ParamKind.WEIGHT, Init.UNIFORM_FAN_IN, 4), Type.f32(3, 4));
        Value logits = g.add(new MatMul(false, true), red, dense);

        Value[] bn = new Value[4];
        String[] bnNames = {"bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"};
        Init[] bnInit = {Init.ONES, Init.ZEROS, Init.ZEROS, Init.ONES};
        for (int i = 0; i < 4; i++)
            bn[i] = g.addLeaf(new Param(bnNames[i], i < 2 ? ParamKind.WEIGHT : ParamKind.BUFFER, bnInit[i], 0), Type.f32(4));
        g.add(new BatchNorm(1e-5, 0.1), conv, bn[0], bn[1], bn[2], bn[3]);
        g.add(new LayerNorm(1e-5), red, bn[0], bn[1]);
        g.add(new Dropout(0.25), red);
        Value wih = g.addLeaf(new Param("rnn.weight_ih_l0", ParamKind.WEIGHT, Init.UNIFORM_FAN_IN, 2), Type.f32(8, 5));
        Value whh = g.addLeaf(new Param("rnn.weight_hh_l0", ParamKind.WEIGHT, Init.UNIFORM_FAN_IN, 2), Type.f32(8, 2));
        Value bih = g.addLeaf(new Param("rnn.bias_ih_l0", ParamKind.WEIGHT, Init.UNIFORM_FAN_IN, 2), Type.f32(8));
        Value bhh = g.addLeaf(new Param("rnn.bias_hh_l0", ParamKind.WEIGHT, Init.UNIFORM_FAN_IN, 2), Type.f32(8));
        g.add(new Lstm(2, true), e, wih, whh, bih, bhh);
        Value loss = g.add(new Loss(LossFn.CROSS_ENTROPY), red, y);
        g.add(new Loss(LossFn.MSE), oh, red);
        Value step = g.addLeaf(new Param("adam.step", ParamKind.STATE, Init.ZEROS, 0), Type.f32());

        g.output("p", logits);
        g.output(Graph.LOSS, loss);
        g.output("odd name-1", sm);
        g.update("layer1.0.conv1.weight", dw);
        g.update("adam.step", step);
        g.setTrain(new TrainSpec(new TrainSpec.Adam(0.001, 0.9, 0.999, 1e-8, 0.0), List.of("accuracy", "f1"),
                List.of("head*", "layer1.0"), List.of(), "p", "y", TrainSpec.Prediction.CLASS_LOGITS));
        return g;
    }
}
