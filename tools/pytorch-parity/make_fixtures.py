#!/usr/bin/python3
"""Writes the PyTorch parity fixtures for dlm's examples.

For each example that fits in memory, the same architecture is built in PyTorch with module
names equal to dlm's parameter names, so that `state_dict()` keys are exactly the names dlm
gives its parameters (`fc1.weight`, `conv2d_3.bias`, `batchnorm_2.running_var`, ...). With a
fixed seed it writes into api/src/test/resources/parity/<model>/:

  manifest.json               the example file, input/target/output names, whether grads exist
  weights.safetensors         the state_dict in float32 (batchnorm buffers, no num_batches_tracked)
  <input>.npy                 float32 inputs, batch 3
  <target>.npy                float32 targets, or int64 class ids
  expected_<output>.npy       every model output in eval mode
  expected_grads.safetensors  'loss' and the gradient of every trainable parameter, train mode
                              (only for models without dropout)

The references are computed by PyTorch in float64 from the float32 weights and inputs that are
written, so that they carry no float32 rounding of their own; the script also checks that
PyTorch's float32 result agrees with them.

Run with Debian's python3 (it has torch 1.13 and numpy):  /usr/bin/python3 make_fixtures.py
"""

import json
import os
import shutil
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "api", "src", "test", "resources", "parity")
SEED = 20240601
BATCH = 3


# ---------------------------------------------------------------- file formats

def write_safetensors(path, tensors):
    """The safetensors format: u64 LE header length, JSON header, raw little-endian data."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name].detach().cpu().numpy().astype("<f4"))
        b = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def save_npy(path, t, dtype):
    np.save(path, np.ascontiguousarray(t.detach().cpu().numpy().astype(dtype)))


# ---------------------------------------------------------------- helpers matching dlm's ops

def act(name):
    return {None: lambda x: x, "relu": F.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}[name]


class Dense(nn.Linear):
    def __init__(self, i, o, activation=None):
        super().__init__(i, o)
        self.activation = act(activation)

    def forward(self, x):
        return self.activation(super().forward(x))


def same_pads(size, k, stride, dilation=1):
    """dlm's 'same' (Padding.java): output ceil(size / stride); symmetric (k-1)/2 for odd
    kernels, as PyTorch models pad; for even kernels the extra row/column at the bottom/right."""
    eff = dilation * (k - 1) + 1
    if eff % 2 == 1:
        return (eff - 1) // 2, (eff - 1) // 2
    out = (size + stride - 1) // stride
    total = max((out - 1) * stride + eff - size, 0)
    return total // 2, total - total // 2


class Conv(nn.Conv2d):
    """dlm's conv2d: pad=valid|same, 'same' as Keras (extra row/column at the bottom/right)."""

    def __init__(self, cin, cout, k, stride=1, pad="valid", bias=True, activation=None):
        super().__init__(cin, cout, k, stride=stride, padding=0, bias=bias)
        self.pad, self.k, self.s = pad, k, stride
        self.activation = act(activation)

    def forward(self, x):
        if self.pad == "same":
            t, b = same_pads(x.shape[2], self.k, self.s)
            l, r = same_pads(x.shape[3], self.k, self.s)
            x = F.pad(x, (l, r, t, b))
        return self.activation(super().forward(x))


def maxpool(x, k, stride=None, pad="valid"):
    stride = stride or k
    if pad == "same":
        t, b = same_pads(x.shape[2], k, stride)
        l, r = same_pads(x.shape[3], k, stride)
        x = F.pad(x, (l, r, t, b), value=float("-inf"))
    return F.max_pool2d(x, k, stride)


def global_avg_pool(x):
    return x.mean(dim=(2, 3))


class Counter:
    """Names unnamed layers `<op>_<n>` in order of appearance, per op kind (dlm's Emitter).

    The models keep other references to these layers in tuples and lists, which nn.Module
    does not register, so that the state_dict holds each layer once, under dlm's name.
    """

    def __init__(self, module):
        self.m, self.n = module, {}

    def add(self, kind, layer):
        self.n[kind] = self.n.get(kind, 0) + 1
        name = "%s_%d" % (kind, self.n[kind])
        self.m.add_module(name, layer)
        return layer


# ---------------------------------------------------------------- the examples

class Xor(nn.Module):
    example, inputs, targets, outputs, loss, dropout = "xor.dlm", {"x": [2]}, {"y": ("bin", [1])}, ["p"], "bce", False

    def __init__(self):
        super().__init__()
        self.hidden = Dense(2, 4, "tanh")
        self.out = Dense(4, 1, "sigmoid")

    def forward(self, x):
        return {"p": self.out(self.hidden(x))}


class Perceptron(nn.Module):
    example, inputs, targets, outputs, loss, dropout = "perceptron.dlm", {"x": [2]}, {"y": ("bin", [1])}, ["p"], "mse", False

    def __init__(self):
        super().__init__()
        self.neuron = Dense(2, 1, "sigmoid")

    def forward(self, x):
        return {"p": self.neuron(x)}


class Tumor(nn.Module):
    example, inputs, targets, outputs, loss, dropout = "tumor.dlm", {"x": [30]}, {"malignant": ("bin", [1])}, ["p"], "bce", True

    def __init__(self):
        super().__init__()
        self.dense_1 = Dense(30, 16, "relu")
        self.dense_2 = Dense(16, 1, "sigmoid")

    def forward(self, x):
        return {"p": self.dense_2(F.dropout(self.dense_1(x), 0.1, self.training))}


class KerasMlp(nn.Module):
    example, inputs, targets, outputs, loss, dropout = "keras_mlp.dlm", {"x": [64]}, {"y": ("bin", [1])}, ["p"], "bce", False

    def __init__(self):
        super().__init__()
        c = Counter(self)
        self.layers = []
        i = 64
        for w in [64, 128, 512, 512, 128, 64]:
            self.layers.append(c.add("dense", Dense(i, w, "relu")))
            i = w
        self.layers.append(c.add("dense", Dense(i, 1, "sigmoid")))

    def forward(self, x):
        for l in self.layers:
            x = l(x)
        return {"p": x}


class Lenet5(nn.Module):
    example, inputs, targets, outputs, loss, dropout = "lenet5.dlm", {"image": [1, 28, 28]}, {"label": ("class", 10)}, ["logits", "probs"], "ce", False

    def __init__(self):
        super().__init__()
        self.conv1 = Conv(1, 6, 5, pad="same", activation="relu")
        self.conv2 = Conv(6, 16, 5, activation="relu")
        self.fc1 = Dense(400, 120, "relu")
        self.fc2 = Dense(120, 84, "relu")
        self.fc3 = Dense(84, 10)

    def forward(self, image):
        h = maxpool(self.conv1(image), 2)
        h = maxpool(self.conv2(h), 2)
        h = self.fc2(self.fc1(torch.flatten(h, 1)))
        logits = self.fc3(h)
        return {"logits": logits, "probs": torch.softmax(logits, -1)}


class ResnetMini(nn.Module):
    example, inputs, targets, outputs, loss, dropout = "resnet_mini.dlm", {"image": [3, 32, 32]}, {"label": ("class", 10)}, ["logits"], "ce", False

    def __init__(self):
        super().__init__()
        c = Counter(self)
        self.stem = (c.add("conv2d", Conv(3, 16, 3, pad="same", bias=False)), c.add("batchnorm", nn.BatchNorm2d(16)))
        self.blocks = []
        for _ in range(3):
            self.blocks.append((c.add("conv2d", Conv(16, 16, 3, pad="same", bias=False)), c.add("batchnorm", nn.BatchNorm2d(16)),
                                c.add("conv2d", Conv(16, 16, 3, pad="same", bias=False)), c.add("batchnorm", nn.BatchNorm2d(16))))
        self.head = (c.add("dense", Dense(16, 10)),)

    def forward(self, image):
        conv, bn = self.stem
        h = F.relu(bn(conv(image)))
        for c1, b1, c2, b2 in self.blocks:
            r = F.relu(b1(c1(h)))
            r = b2(c2(r))
            h = F.relu(h + r)
        return {"logits": self.head[0](global_avg_pool(h))}


class UnetSmall(nn.Module):
    example, inputs, targets, outputs, loss, dropout = "unet_small.dlm", {"image": [1, 64, 64]}, {"truth": ("unit", [1, 64, 64])}, ["mask"], "bce", False

    def __init__(self):
        super().__init__()
        c = Counter(self)

        def double(cin, cout):
            return (c.add("conv2d", Conv(cin, cout, 3, pad="same", activation="relu")),
                    c.add("conv2d", Conv(cout, cout, 3, pad="same", activation="relu")))

        self.e1, self.e2, self.e3 = double(1, 16), double(16, 32), double(32, 64)
        self.d2, self.d1 = double(64 + 32, 32), double(32 + 16, 16)
        self.final = (c.add("conv2d", Conv(16, 1, 1, activation="sigmoid")),)

    def forward(self, image):
        def run(pair, x):
            return pair[1](pair[0](x))

        up = lambda x: F.interpolate(x, scale_factor=2, mode="nearest")
        e1 = run(self.e1, image)
        e2 = run(self.e2, maxpool(e1, 2))
        e3 = run(self.e3, maxpool(e2, 2))
        d2 = run(self.d2, torch.cat([up(e3), e2], 1))
        d1 = run(self.d1, torch.cat([up(d2), e1], 1))
        return {"mask": self.final[0](d1)}


class InceptionNet(nn.Module):
    example, inputs, targets, outputs, loss, dropout = "inception.dlm", {"image": [3, 64, 64]}, {"label": ("class", 10)}, ["logits"], "ce", True

    def __init__(self):
        super().__init__()
        c = Counter(self)
        self.stem = (c.add("conv2d", Conv(3, 64, 7, stride=2, pad="same", activation="relu")),)

        def inception(cin, c1, c3r, c3, c5r, c5, pool):
            return (c.add("conv2d", Conv(cin, c1, 1, activation="relu")),
                    c.add("conv2d", Conv(cin, c3r, 1, activation="relu")), c.add("conv2d", Conv(c3r, c3, 3, pad="same", activation="relu")),
                    c.add("conv2d", Conv(cin, c5r, 1, activation="relu")), c.add("conv2d", Conv(c5r, c5, 5, pad="same", activation="relu")),
                    c.add("conv2d", Conv(cin, pool, 1, activation="relu")))

        self.i1 = inception(64, 64, 96, 128, 16, 32, 32)
        self.i2 = inception(256, 128, 128, 192, 32, 96, 64)
        self.head = (c.add("dense", Dense(480, 10)),)

    def forward(self, image):
        def inc(m, x):
            a = m[0](x)
            b = m[2](m[1](x))
            cc = m[4](m[3](x))
            d = m[5](maxpool(x, 3, stride=1, pad="same"))
            return torch.cat([a, b, cc, d], 1)

        h = maxpool(self.stem[0](image), 3, stride=2, pad="same")
        h = inc(self.i2, inc(self.i1, h))
        h = F.dropout(global_avg_pool(h), 0.4, self.training)
        return {"logits": self.head[0](h)}


# ---------------------------------------------------------------- test-only models (not examples)
# Their .dlm source lives next to this script and is copied into the fixture directory: they
# cover what the examples do not (freeze with frozen batchnorm, dilation, groups, explicit
# padding, stride-2 'same', transposed convolution, average pooling, bilinear upsampling,
# layernorm, gelu, leaky_relu, log_softmax, a sum of two losses, bce_with_logits, mse).

def frozen_pattern(pattern, layer):
    """TrainSpec.matches: `name` matches the layer and what is inside it, `prefix*` by prefix."""
    if pattern.endswith("*"):
        return layer.startswith(pattern[:-1])
    return layer == pattern or layer.startswith(pattern + ".")


class Unit(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.batchnorm_1 = nn.BatchNorm2d(c)
        self.conv2d_1 = Conv(c, c, 3, pad="same", bias=False)

    def forward(self, x):
        return self.conv2d_1(F.relu(self.batchnorm_1(x)))


class FreezeMini(nn.Module):
    example, inputs, targets, outputs, loss, dropout = "freeze_mini.dlm", {"image": [3, 9, 9]}, {"label": ("class", 4)}, ["logits"], "ce", False
    frozen = ["batchnorm_1", "blk1*"]

    def __init__(self):
        super().__init__()
        self.stem = Conv(3, 8, 3, stride=2, pad="same", bias=False)
        self.batchnorm_1 = nn.BatchNorm2d(8)
        self.blk1 = Unit(8)
        self.blk2 = Unit(8)
        self.head = Dense(8, 4)

    def forward(self, image):
        h = F.relu(self.batchnorm_1(self.stem(image)))
        return {"logits": self.head(global_avg_pool(self.blk2(self.blk1(h))))}


def avgpool_same(x, k, stride):
    """Keras 'same' average pooling: the padding is not counted in the average."""
    t, b = same_pads(x.shape[2], k, stride)
    l, r = same_pads(x.shape[3], k, stride)
    ones = torch.ones_like(x[:1, :1])
    num = F.avg_pool2d(F.pad(x, (l, r, t, b)), k, stride)
    den = F.avg_pool2d(F.pad(ones, (l, r, t, b)), k, stride)
    return num / den


class OpsMini(nn.Module):
    example, inputs, targets, outputs, loss, dropout = "ops_mini.dlm", {"image": [2, 8, 8]}, {"y": ("bin", [3])}, ["z", "s"], "bcel+mse", False

    def __init__(self):
        super().__init__()
        self.conv2d_1 = nn.Conv2d(2, 4, 3, padding="same", dilation=2)
        self.conv2d_2 = nn.Conv2d(2, 4, 3, padding=1, groups=2)
        self.conv_transpose2d_1 = nn.ConvTranspose2d(8, 6, 3, stride=2, padding=1)
        self.dense_1 = nn.Linear(6 * 4 * 4, 16)
        self.layernorm_1 = nn.LayerNorm(16)
        self.head = nn.Linear(16, 3)

    def forward(self, image):
        a = F.gelu(self.conv2d_1(image))
        b = F.leaky_relu(self.conv2d_2(image), 0.01)
        h = F.avg_pool2d(torch.cat([a, b], 1), 2)                             # [8, 4, 4]
        h = self.conv_transpose2d_1(h)                                        # [6, 7, 7]
        h = F.interpolate(h, scale_factor=2, mode="bilinear", align_corners=False)  # [6, 14, 14]
        h = avgpool_same(h, 3, 2)                                             # [6, 7, 7]
        h = maxpool(h, 2, pad="same")                                         # [6, 4, 4]
        f = torch.tanh(self.layernorm_1(self.dense_1(torch.flatten(h, 1))))
        z = self.head(f)
        return {"z": z, "s": torch.log_softmax(z, -1)}


MODELS = {"xor": Xor, "perceptron": Perceptron, "tumor": Tumor, "keras_mlp": KerasMlp, "lenet5": Lenet5,
          "resnet_mini": ResnetMini, "unet_small": UnetSmall, "inception": InceptionNet,
          "freeze_mini": FreezeMini, "ops_mini": OpsMini}


def loss_of(kind, out, y):
    if kind == "bce":
        return F.binary_cross_entropy(out, y)
    if kind == "mse":
        return F.mse_loss(out, y)
    if kind == "ce":
        return F.cross_entropy(out, y)
    if kind == "bcel+mse":
        return F.binary_cross_entropy_with_logits(out, y) + F.mse_loss(torch.sigmoid(out), y)
    raise ValueError(kind)


def rel_err(a, b):
    return (a - b).abs().max().item() / max(b.abs().max().item(), 1e-6)


F32_AGREEMENT = 3e-5


def draw(cls, gen):
    """Random inputs (standard normal) and targets (class ids, 0/1 labels or [0,1] masks)."""
    xs = {n: torch.randn([BATCH] + s, generator=gen) for n, s in cls.inputs.items()}
    ys = {}
    for n, (kind, s) in cls.targets.items():
        if kind == "class":
            ys[n] = torch.randint(0, s, (BATCH,), generator=gen)
        elif kind == "bin":
            ys[n] = (torch.rand([BATCH] + s, generator=gen) < 0.5).float()
        else:
            ys[n] = torch.rand([BATCH] + s, generator=gen)
    return xs, ys


def compute(cls, m, xs, ys):
    """Eval-mode outputs and, without dropout, train-mode loss and gradients, in float64 and float32."""

    def fwd(dtype, train):
        mm = cls()
        mm.load_state_dict(m.state_dict())
        mm = mm.to(dtype)
        mm.train(train)
        for name, mod in mm.named_modules():
            if name and any(frozen_pattern(p, name) for p in getattr(cls, "frozen", [])):
                mod.eval()  # a frozen batchnorm uses its running statistics, as in Keras
                for prm in mod.parameters():
                    prm.requires_grad_(False)
        return mm, mm(**{n: x.to(dtype) for n, x in xs.items()})

    outs, grads = {}, {}
    for dtype in (torch.float64, torch.float32):
        with torch.no_grad():
            _, out = fwd(dtype, False)
        trainable = sorted(k for k, p in fwd(dtype, True)[0].named_parameters() if p.requires_grad)
        outs[dtype] = {k: out[k] for k in cls.outputs}
        if cls.dropout:
            grads[dtype] = None
            continue
        mm, out = fwd(dtype, True)
        tname = next(iter(cls.targets))
        y = ys[tname] if ys[tname].dtype == torch.int64 else ys[tname].to(dtype)
        loss = loss_of(cls.loss, out[cls.outputs[0]], y)
        loss.backward()
        g = {"loss": loss.detach()}
        g.update({k: p.grad.detach() for k, p in mm.named_parameters() if p.requires_grad})
        grads[dtype] = g
    return outs[torch.float64], outs[torch.float32], grads[torch.float64], grads[torch.float32], trainable


def make(key, cls):
    d = os.path.join(OUT, key)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    if os.path.exists(os.path.join(HERE, cls.example)):
        shutil.copyfile(os.path.join(HERE, cls.example), os.path.join(d, cls.example))
    seed = SEED + sum(map(ord, key))
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    m = cls()
    # batchnorm: move weight, bias and running statistics away from their trivial 1/0
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, (nn.BatchNorm2d, nn.LayerNorm)):
                n = mod.weight.shape[0]
                mod.weight.copy_(1 + 0.3 * torch.randn(n))
                mod.bias.copy_(0.2 * torch.randn(n))
                if isinstance(mod, nn.BatchNorm2d):
                    mod.running_mean.copy_(0.2 * torch.randn(n))
                    mod.running_var.copy_(0.5 + torch.rand(n))
    state = {k: v.float() for k, v in m.state_dict().items() if not k.endswith("num_batches_tracked")}
    write_safetensors(os.path.join(d, "weights.safetensors"), state)

    # Inputs are drawn until PyTorch's own float32 result agrees with the float64 reference to
    # F32_AGREEMENT: a draw that puts a ReLU input within float32 rounding of zero makes the
    # gradient flip with the precision, and a float32 backend could not be held to 1e-4 on it.
    for attempt in range(50):
        xs, ys = draw(cls, gen)
        out64, out32, g64, g32, trainable = compute(cls, m, xs, ys)
        errs = {"output " + k: rel_err(out32[k].double(), v) for k, v in out64.items()}
        if g64 is not None:
            errs.update({"grad " + k: rel_err(g32[k].double(), v) for k, v in g64.items()})
        worst = max(errs, key=errs.get)
        if errs[worst] <= F32_AGREEMENT:
            break
        print("%-12s draw %d rejected: float32 PyTorch is %.1e off float64 on %s" % (key, attempt, errs[worst], worst))
    else:
        raise SystemExit(key + ": no well-conditioned draw found")

    for n, x in xs.items():
        save_npy(os.path.join(d, n + ".npy"), x, "<f4")
    for n, y in ys.items():
        save_npy(os.path.join(d, n + ".npy"), y, "<i8" if y.dtype == torch.int64 else "<f4")
    for name in cls.outputs:
        save_npy(os.path.join(d, "expected_%s.npy" % name), out64[name], "<f4")
    report = ["float32-vs-float64 %.1e" % errs[worst]]
    grads = g64 is not None
    if grads:
        write_safetensors(os.path.join(d, "expected_grads.safetensors"), g64)
        report.append("%d grads, loss %.6f" % (len(g64) - 1, g64["loss"].item()))

    manifest = {"example": cls.example, "inputs": list(cls.inputs), "targets": list(cls.targets),
                "outputs": list(cls.outputs), "grads": grads, "batch": BATCH, "trainable": trainable}
    with open(os.path.join(d, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
    print("%-12s %8.1f KB  %s" % (key, size / 1024, "; ".join(report)))


def main():
    torch.set_num_threads(1)
    only = sys.argv[1:]
    for key, cls in MODELS.items():
        if not only or key in only:
            make(key, cls)


if __name__ == "__main__":
    main()
