#!/usr/bin/python3
"""PyTorch timing windows on request, for bench/paired.py.

Reads one command per line on stdin and answers each with one JSON line on stdout:

    <workload> <metric> <seconds>     workload: keras_mlp | lenet5, metric: train | b1
    quit

`train` runs training steps (forward, backward, Adam) at the peer's batch for about
<seconds> and answers samples/s; `b1` runs batch-1 eager predictions and answers the
median latency in microseconds. Models, batches, losses and thread settings are bench.py's,
so a window measures exactly what bench.py's repeats measure; only the scheduling differs
(the caller alternates these windows with dlm's).
"""
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (bench.py next to this file: models, thread setup)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402


def workload(name):
    """model factory, input shape, training batch, loss, target factory: as bench.main()."""
    if name == "keras_mlp":
        return bench.make_mlp64, (64,), 256, nn.BCELoss(), lambda b: torch.randint(0, 2, (b, 1)).float()
    if name == "lenet5":
        return bench.make_lenet5, (1, 28, 28), 128, nn.CrossEntropyLoss(), lambda b: torch.randint(0, 10, (b,))
    raise ValueError("unknown workload " + name)


class Runner:
    def __init__(self, name):
        make, shape, batch, loss_fn, target = workload(name)
        torch.manual_seed(0)
        self.model = make()
        self.batch = batch
        self.x = torch.randn(batch, *shape)
        self.y = target(batch)
        self.x1 = torch.randn(1, *shape)
        self.loss_fn = loss_fn
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3)

    def train_step(self):
        self.model.train()
        self.opt.zero_grad(set_to_none=True)
        self.loss_fn(self.model(self.x), self.y).backward()
        self.opt.step()

    def predict1(self):
        with torch.inference_mode():
            self.model(self.x1)

    def window(self, metric, seconds):
        if metric == "train":
            n, t0 = 0, time.perf_counter()
            while True:
                self.train_step()
                n += 1
                dt = time.perf_counter() - t0
                if dt >= seconds:
                    return {"value": n * self.batch / dt, "unit": "samples/s", "calls": n}
        if metric == "b1":
            self.model.eval()
            ts, end = [], time.perf_counter() + seconds
            while True:
                t0 = time.perf_counter_ns()
                self.predict1()
                ts.append((time.perf_counter_ns() - t0) / 1000.0)
                if time.perf_counter() >= end:
                    return {"value": statistics.median(ts), "unit": "us", "calls": len(ts)}
        raise ValueError("unknown metric " + metric)


def check(parts):
    """What is wrong with a command, or None (the rules of dlm's Windows.problem)."""
    if len(parts) != 3:
        return f"expected: <workload> <metric> <seconds>, got {len(parts)} words"
    if parts[0] not in ("keras_mlp", "lenet5"):
        return f"unknown workload {parts[0]} (keras_mlp, lenet5)"
    if parts[1] not in ("train", "b1"):
        return f"unknown metric {parts[1]} (train, b1)"
    try:
        s = float(parts[2])
    except ValueError:
        return f"seconds must be a number, got {parts[2]}"
    if not 0 < s <= 3600:
        return f"seconds must be in (0, 3600], got {parts[2]}"
    return None


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    bench.set_threads(threads)
    runners = {}
    print(json.dumps({"ready": True, "peer": "PyTorch " + torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "quit":
            break
        problem = check(parts)
        if problem:
            # answered, not raised: the caller reads one line per command
            print(json.dumps({"error": problem}), flush=True)
            continue
        name, metric, seconds = parts[0], parts[1], float(parts[2])
        if name not in runners:
            runners[name] = Runner(name)
        r = runners[name].window(metric, seconds)
        r.update({"workload": name, "metric": metric})
        print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
