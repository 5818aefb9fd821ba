#!/usr/bin/python3
"""`dlm run` and `dlm grad` against PyTorch on the examples too large for stored fixtures.

resnet50 (100 MB of weights), chexnet_transfer (28 MB) and vgg16 (550 MB) are built here in PyTorch with dlm's
layer names, their fixtures are written by make_fixtures.make() into a temporary directory
(same seeds, batchnorm perturbation, float64 references and well-conditioned draw as the stored
fixtures), then ./dlm runs on them and every output, the loss and every gradient must agree to
a relative error of 1e-4 per tensor, max|dlm - torch| / max(max|torch|, 1e-6). resnet50 has no
train block and vgg16 has dropout, so only their outputs are compared; chexnet_transfer trains its head only, so its
gradients are the head's, and its frozen batchnorms use their running statistics.

    /usr/bin/python3 check_large.py                      # all three, JVM backend
    /usr/bin/python3 check_large.py resnet50 chexnet_transfer
    /usr/bin/python3 check_large.py chexnet_transfer --backend interp

Exit code 0 when every tensor agrees, 1 otherwise. About a minute per model on 2 cores; vgg16 needs a few GB of memory.
"""

import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import make_fixtures as fx

TOLERANCE = 1e-4


class Resnet50(nn.Module):
    """examples/resnet50.dlm: unnamed conv2d_N/batchnorm_N in order of appearance, fc."""
    example, inputs, targets, outputs, loss = "resnet50.dlm", {"image": [3, 224, 224]}, {}, ["logits"], None
    dropout = True  # no train block: make() then writes outputs only

    def __init__(self):
        super().__init__()
        c = fx.Counter(self)

        def conv_bn(cin, cout, k, stride=1, pad="valid"):
            return c.add("conv2d", fx.Conv(cin, cout, k, stride=stride, pad=pad, bias=False)), c.add("batchnorm", nn.BatchNorm2d(cout))

        self.stem = conv_bn(3, 64, 7, 2)
        self.blocks, cin = [], 64
        for width, blocks, stride in [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]:
            for i in range(blocks):
                s = stride if i == 0 else 1
                main = conv_bn(cin, width, 1) + conv_bn(width, width, 3, s, "same") + conv_bn(width, 4 * width, 1)
                project = conv_bn(cin, 4 * width, 1, s) if i == 0 else None
                self.blocks.append((main, project))
                cin = 4 * width
        self.fc = fx.Dense(2048, 1000)

    def forward(self, image):
        conv, bn = self.stem
        h = F.relu(bn(conv(F.pad(image, (3, 3, 3, 3)))))
        h = F.max_pool2d(h, 3, 2, padding=1)
        for main, project in self.blocks:
            r = h
            for j in range(0, 6, 2):
                r = main[j + 1](main[j](r))
                if j < 4:
                    r = F.relu(r)
            s = project[1](project[0](h)) if project else h
            h = F.relu(r + s)
        return {"logits": self.fc(fx.global_avg_pool(h))}


class Chexnet(nn.Module):
    """examples/chexnet_transfer.dlm: DenseNet-121 with a one-unit sigmoid head; only the head trains."""
    example, inputs, targets, outputs, loss = "chexnet_transfer.dlm", {"xray": [3, 224, 224]}, {"y": ("bin", [1])}, ["pneumonia"], "bce"
    dropout = False
    frozen = ["stem", "conv2d_*", "batchnorm_*"]

    def __init__(self):
        super().__init__()
        c = fx.Counter(self)
        self.stem = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.stem_bn = (c.add("batchnorm", nn.BatchNorm2d(64)),)  # a tuple: registered once, as batchnorm_1
        self.stages, ch = [], 64
        for i, layers in enumerate([6, 12, 24, 16]):
            dense = []
            for _ in range(layers):
                dense.append((c.add("batchnorm", nn.BatchNorm2d(ch)), c.add("conv2d", nn.Conv2d(ch, 128, 1, bias=False)),
                              c.add("batchnorm", nn.BatchNorm2d(128)), c.add("conv2d", nn.Conv2d(128, 32, 3, padding=1, bias=False))))
                ch += 32
            transition = None
            if i < 3:
                transition = (c.add("batchnorm", nn.BatchNorm2d(ch)), c.add("conv2d", nn.Conv2d(ch, ch // 2, 1, bias=False)))
                ch //= 2
            self.stages.append((dense, transition))
        self.final_bn = (c.add("batchnorm", nn.BatchNorm2d(ch)),)
        self.head = fx.Dense(ch, 1, activation="sigmoid")

    def forward(self, xray):
        h = F.max_pool2d(F.relu(self.stem_bn[0](self.stem(xray))), 3, 2, padding=1)
        for dense, transition in self.stages:
            for bn1, conv1, bn2, conv2 in dense:
                h = torch.cat([h, conv2(F.relu(bn2(conv1(F.relu(bn1(h))))))], dim=1)
            if transition:
                bn, conv = transition
                h = F.avg_pool2d(conv(F.relu(bn(h))), 2)
        return {"pneumonia": self.head(fx.global_avg_pool(F.relu(self.final_bn[0](h))))}


class Vgg16(nn.Module):
    """examples/vgg16.dlm: conv2d_1..13 (3x3, same, relu), maxpool(2) after each stage, dense_1..3.
    Its dropout makes a training step random, so only its outputs are compared (as make() does)."""
    example, inputs, targets, outputs, loss = "vgg16.dlm", {"image": [3, 224, 224]}, {}, ["logits"], None
    dropout = True

    def __init__(self):
        super().__init__()
        c = fx.Counter(self)
        self.stages, cin = [], 3
        for width, n in [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]:
            self.stages.append([c.add("conv2d", fx.Conv(cin if i == 0 else width, width, 3, pad="same", activation="relu")) for i in range(n)])
            cin = width
        self.dense = (c.add("dense", fx.Dense(512 * 7 * 7, 4096, "relu")), c.add("dense", fx.Dense(4096, 4096, "relu")),
                      c.add("dense", fx.Dense(4096, 1000)))

    def forward(self, image):
        h = image
        for convs in self.stages:
            for conv in convs:
                h = conv(h)
            h = F.max_pool2d(h, 2)
        h = torch.flatten(h, 1)
        for d in self.dense:
            h = F.dropout(d(h), 0.5, self.training) if d is not self.dense[-1] else d(h)
        return {"logits": h}


MODELS = {"resnet50": Resnet50, "chexnet_transfer": Chexnet, "vgg16": Vgg16}


def load_safetensors(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    out = {}
    for k, v in json.loads(b[8:8 + n]).items():
        if k == "__metadata__":
            continue
        s, e = v["data_offsets"]
        out[k] = np.frombuffer(b[8 + n + s:8 + n + e], dtype="<f4").reshape(v["shape"])
    return out


def compare(what, got, expected):
    """Every expected tensor within TOLERANCE; returns the names that are not."""
    bad = []
    if set(got) != set(expected):
        print("  %s: names differ: dlm only %s, PyTorch only %s" % (what, sorted(set(got) - set(expected)), sorted(set(expected) - set(got))))
        bad.append(what + " names")
    for k in sorted(set(got) & set(expected)):
        g, e = np.asarray(got[k], np.float64).reshape(-1), np.asarray(expected[k], np.float64).reshape(-1)
        err = np.abs(g - e).max() / max(np.abs(e).max(), 1e-6) if g.shape == e.shape else float("inf")
        ok = err <= TOLERANCE
        print("  %-5s %-24s relative error %.2e %s" % (what, k, err, "" if ok else "FAILS"))
        if not ok:
            bad.append(k)
    return bad


def dlm(*args):
    root = fx.ROOT
    r = subprocess.run([os.path.join(root, "dlm"), *args], cwd=root, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("dlm %s failed (%d):\n%s" % (args[0], r.returncode, r.stderr))


def check(key, backend, tmp):
    cls = MODELS[key]
    fx.make(key, cls)
    d = os.path.join(fx.OUT, key)
    manifest = json.load(open(os.path.join(d, "manifest.json")))
    example = os.path.join(fx.ROOT, "examples", cls.example)
    weights = os.path.join(d, "weights.safetensors")
    inputs = ["--input=%s=%s" % (n, os.path.join(d, n + ".npy")) for n in manifest["inputs"]]
    out = os.path.join(tmp, key + "-out")
    dlm("run", example, "--backend", backend, "--weights", weights, *inputs, "--out", out)
    bad = compare("run", {o: np.load(os.path.join(out, o + ".npy")) for o in manifest["outputs"]},
                  {o: np.load(os.path.join(d, "expected_%s.npy" % o)) for o in manifest["outputs"]})
    if manifest["grads"]:
        g = os.path.join(tmp, key + "-grads.safetensors")
        targets = ["--target=%s=%s" % (n, os.path.join(d, n + ".npy")) for n in manifest["targets"]]
        dlm("grad", example, "--backend", backend, "--weights", weights, *inputs, *targets, "--out", g)
        bad += compare("grad", load_safetensors(g), load_safetensors(os.path.join(d, "expected_grads.safetensors")))
    return bad


def main():
    args = sys.argv[1:]
    backend = "jvm"
    if "--backend" in args:
        i = args.index("--backend")
        backend = args[i + 1]
        del args[i:i + 2]
    keys = args or list(MODELS)
    torch.set_num_threads(1)
    failed = []
    with tempfile.TemporaryDirectory(prefix="dlm-parity-") as tmp:
        fx.OUT = tmp
        for key in keys:
            print("%s on the %s backend" % (key, backend))
            failed += [key + " " + b for b in check(key, backend, tmp)]
    print("all tensors within %.0e of PyTorch" % TOLERANCE if not failed else "differ from PyTorch: " + ", ".join(failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
