#!/usr/bin/python3
"""Counts the parameters of every example of examples/ as PyTorch does, for `dlm check`.

`parameters` is sum(p.numel() for p in model.parameters()): weights and biases, frozen ones
included, batchnorm running statistics not. `trainable` counts only the parameters with
requires_grad after the example's freeze/trainable lists are applied (chexnet_transfer trains
its head only). The small examples reuse make_fixtures.py's modules, which already match
dlm's layer names; resnet50, vgg16 and chexnet_transfer (DenseNet-121 with a one-unit head) are
built here in plain torch (torchvision is not installed) following torchvision's definitions.

Writes api/src/test/resources/parity/parameter_counts.json, which CheckParameterCountsTest
compares with `dlm check examples/*.dlm`.

Run with Debian's python3 (torch 1.13):  /usr/bin/python3 count_parameters.py
"""

import json
import os

import torch.nn as nn

import make_fixtures as fx


def bottleneck(cin, c, stride, project):
    layers = [nn.Conv2d(cin, c, 1, bias=False), nn.BatchNorm2d(c),
              nn.Conv2d(c, c, 3, stride, 1, bias=False), nn.BatchNorm2d(c),
              nn.Conv2d(c, 4 * c, 1, bias=False), nn.BatchNorm2d(4 * c)]
    if project:
        layers += [nn.Conv2d(cin, 4 * c, 1, stride, bias=False), nn.BatchNorm2d(4 * c)]
    return nn.Sequential(*layers)


def resnet50():
    layers, cin = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64)], 64
    for c, blocks, stride in [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]:
        for i in range(blocks):
            layers.append(bottleneck(cin, c, stride if i == 0 else 1, i == 0))
            cin = 4 * c
    layers.append(nn.Linear(2048, 1000))
    return nn.Sequential(*layers)


def vgg16():
    layers, cin = [], 3
    for c, n in [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]:
        for _ in range(n):
            layers.append(nn.Conv2d(cin, c, 3, padding=1))
            cin = c
    layers += [nn.Linear(512 * 7 * 7, 4096), nn.Linear(4096, 4096), nn.Linear(4096, 1000)]
    return nn.Sequential(*layers)


def chexnet():
    """DenseNet-121 (growth 32, bottleneck 4x, blocks 6/12/24/16) with dense(1) as the head;
    everything but the head is frozen, as the example's `trainable = [head]`."""
    backbone, c = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64)], 64
    for i, n in enumerate([6, 12, 24, 16]):
        for _ in range(n):
            backbone += [nn.BatchNorm2d(c), nn.Conv2d(c, 128, 1, bias=False),
                         nn.BatchNorm2d(128), nn.Conv2d(128, 32, 3, padding=1, bias=False)]
            c += 32
        if i < 3:
            backbone += [nn.BatchNorm2d(c), nn.Conv2d(c, c // 2, 1, bias=False)]
            c //= 2
    backbone.append(nn.BatchNorm2d(c))
    model = nn.Sequential(nn.Sequential(*backbone), nn.Linear(c, 1))
    for p in model[0].parameters():
        p.requires_grad = False
    return model


def frozen_as_in_dlm(model, patterns):
    """make_fixtures' freeze lists, applied the way dlm applies them."""
    for name, p in model.named_parameters():
        if any(fx.frozen_pattern(pat, name.split(".")[0]) for pat in patterns):
            p.requires_grad = False
    return model


def main():
    builders = {name: cls for name, cls in fx.MODELS.items() if os.path.exists(os.path.join(fx.ROOT, "examples", name + ".dlm"))}
    builders.update({"resnet50": resnet50, "vgg16": vgg16, "chexnet_transfer": chexnet})
    counts = {}
    for name, build in sorted(builders.items()):
        m = build()
        m = frozen_as_in_dlm(m, getattr(m, "frozen", []))
        counts[name] = {"parameters": sum(p.numel() for p in m.parameters()),
                        "trainable": sum(p.numel() for p in m.parameters() if p.requires_grad)}
        print("%-18s %12s parameters, %12s trainable" % (name, format(counts[name]["parameters"], ","),
                                                         format(counts[name]["trainable"], ",")))
    missing = sorted(f[:-4] for f in os.listdir(os.path.join(fx.ROOT, "examples")) if f.endswith(".dlm") and f[:-4] not in counts)
    if missing:
        raise SystemExit("no PyTorch model for: " + ", ".join(missing))
    out = os.path.join(fx.OUT, "parameter_counts.json")
    with open(out, "w") as f:
        json.dump(counts, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
