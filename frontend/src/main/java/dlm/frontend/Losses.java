package dlm.frontend;

import dlm.ir.DType;
import dlm.ir.Op;
import dlm.ir.Value;

/** Losses: each averages over the batch and is a scalar. Legal only in a train block's loss. */
final class Losses {
    private Losses() {}

    static void register() {
        Builtins.loss("binary_cross_entropy", "p:tensor y:anytensor", a -> loss(a, Op.LossFn.BINARY_CROSS_ENTROPY));
        Builtins.loss("binary_cross_entropy_with_logits", "z:tensor y:anytensor", a -> loss(a, Op.LossFn.BINARY_CROSS_ENTROPY_WITH_LOGITS));
        Builtins.loss("cross_entropy", "logits:tensor y:anytensor", a -> loss(a, Op.LossFn.CROSS_ENTROPY));
        Builtins.loss("mse", "p:tensor y:anytensor", a -> loss(a, Op.LossFn.MSE));
    }

    private static Val loss(Args a, Op.LossFn fn) {
        Value p = a.tensor(a.sig.params().get(0).name()), y = a.tensor("y");
        if (y.dtype() == DType.I32 && fn != Op.LossFn.CROSS_ENTROPY)
            throw a.errorAt("y", a.op() + " expects a float target, got an i32 tensor " + Args.shape(y) + "; class ids go with cross_entropy");
        Integer classes = a.em.classTargets.get(y);
        if (classes != null && p.shape().rank() == 2 && p.shape().dim(1) != classes)
            throw a.error(a.op() + " expects logits for " + classes + " classes, got " + Args.shape(p));
        Value l = a.add(new Op.Loss(fn), p, y);
        a.em.losses.add(new Emitter.LossUse(fn, p, y, a.pos));
        return new Val.Tensor(l);
    }
}
