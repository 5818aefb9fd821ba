#!/usr/bin/python3
"""dlm vs PyTorch in alternating timing windows: the same-run ratio, robust to a machine whose
speed drifts.

On a shared machine the speed of both programs moves by 1.5-2x for seconds or minutes at a
time (other tenants). Measured one after the other, dlm and PyTorch land in different phases
and their ratio follows the phases. Here both stay loaded in their own process, and short
windows of each alternate (dlm, PyTorch, PyTorch, dlm, ...): each pair of neighbouring
windows sees the same machine, and the ratio reported is the median of the pairs' ratios.

Usage (bench/compare.sh --paired builds dlm and runs this):
    paired.py --dlm 'java ... dlm.bench.compare.Windows EXAMPLES' --torch 'python3 windows.py 2' \
              [--pairs 15] [--window 1.0] [--out DIR]
Both commands speak the protocol of bench/peers/pytorch/windows.py.
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

# metric, what a window answers, whether bigger is better, the target on the ratio
METRICS = [
    ("keras_mlp", "train", "samples/s", 1.5),
    ("keras_mlp", "b1", "us", 5.0),
    ("lenet5", "train", "images/s", 1.5),
    ("lenet5", "b1", "us", 5.0),
]
ONNX_US = {"keras_mlp": 40.0, "lenet5": 44.0}  # ONNX Runtime Java's batch-1 latency here (issue 3)


class Peer:
    def __init__(self, name, cmd, log):
        self.name = name
        self.p = subprocess.Popen(cmd, shell=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=log, text=True, bufsize=1)
        self.hello = self._read()

    def _read(self):
        line = self.p.stdout.readline()
        if not line:
            sys.exit(f"paired.py: {self.name} exited (see its log)")
        return json.loads(line)

    def window(self, workload, metric, seconds):
        self.p.stdin.write(f"{workload} {metric} {seconds}\n")
        self.p.stdin.flush()
        r = self._read()
        if "error" in r:
            sys.exit(f"paired.py: {self.name} refused '{workload} {metric} {seconds}': {r['error']}")
        return r["value"]

    def close(self):
        try:
            self.p.stdin.write("quit\n")
            self.p.stdin.flush()
            self.p.wait(timeout=30)
        except Exception:
            self.p.kill()


def quartiles(xs):
    s = sorted(xs)
    q = statistics.quantiles(s, n=4) if len(s) >= 2 else [s[0]] * 3
    return q[0], statistics.median(s), q[2]


def warm(peer, workload, metric, window, least, most):
    """Windows until the rate stops improving (> 3% over the best so far), at least `least` s."""
    t0 = time.monotonic()
    best = None
    flat = 0
    while time.monotonic() - t0 < most:
        v = peer.window(workload, metric, window)
        score = v if metric == "train" else 1.0 / v
        if best is None or score > best * 1.03:
            best, flat = score, 0
        else:
            flat += 1
        if time.monotonic() - t0 >= least and flat >= 2:
            break
    return time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dlm", required=True)
    ap.add_argument("--torch", required=True)
    ap.add_argument("--pairs", type=int, default=15)
    ap.add_argument("--window", type=float, default=1.0, help="seconds per window")
    ap.add_argument("--out", default=".")
    ap.add_argument("--only", default="", help="comma-separated workload:metric to run, e.g. lenet5:train")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "paired-dlm.log"), "w") as dl, open(os.path.join(a.out, "paired-pytorch.log"), "w") as tl:
        dlm, torch = Peer("dlm", a.dlm, dl), Peer("PyTorch", a.torch, tl)
        records = []
        try:
            for workload, metric, unit, target in METRICS:
                if a.only and f"{workload}:{metric}" not in a.only.split(","):
                    continue
                wd = warm(dlm, workload, metric, a.window, 8, 30)
                wt = warm(torch, workload, metric, a.window, 2, 10)
                print(f"== {workload} {metric}: warmed up dlm {wd:.0f} s, PyTorch {wt:.0f} s", file=sys.stderr)
                d, t, r = [], [], []
                for i in range(a.pairs):
                    # alternate which side goes first, so that a trend within a pair cancels out
                    if i % 2 == 0:
                        dv = dlm.window(workload, metric, a.window)
                        tv = torch.window(workload, metric, a.window)
                    else:
                        tv = torch.window(workload, metric, a.window)
                        dv = dlm.window(workload, metric, a.window)
                    d.append(dv)
                    t.append(tv)
                    r.append(dv / tv if metric == "train" else tv / dv)
                    print(f"   pair {i + 1}: dlm {dv:,.1f} {unit}, PyTorch {tv:,.1f} {unit}, ratio {r[-1]:.2f}", file=sys.stderr)
                rec = {"workload": workload, "metric": metric, "unit": unit, "target_ratio": target,
                       "dlm": d, "pytorch": t, "ratio": r, "window_s": a.window,
                       "warmup_s": {"dlm": round(wd, 1), "pytorch": round(wt, 1)}}
                records.append(rec)
                with open(os.path.join(a.out, "paired.jsonl"), "a") as f:
                    f.write(json.dumps(rec) + "\n")
        finally:
            dlm.close()
            torch.close()
    print(table(records, a))


def table(records, a):
    lines = [f"Paired windows: {a.pairs} pairs of {a.window:g} s windows per metric, dlm and PyTorch alternating "
             "(each pair's order alternates). Cells: median [quartiles] over the windows; ratio: median [quartiles] "
             "of the pairs' ratios (dlm / PyTorch for throughput, PyTorch / dlm for latency: > 1 means dlm is better).",
             "",
             "| metric | dlm | PyTorch | ratio (median of pairs) | target | verdict |",
             "|---|---:|---:|---:|---|---|"]
    for rec in records:
        d, t, r = quartiles(rec["dlm"]), quartiles(rec["pytorch"]), quartiles(rec["ratio"])
        w, m, u = rec["workload"], rec["metric"], rec["unit"]
        label = f"{w} train b{256 if w == 'keras_mlp' else 128} ({u})" if m == "train" else f"{w} predict b1 latency ({u}, eager for PyTorch)"
        fmt = (lambda v: f"{v:,.0f}") if m == "train" else (lambda v: f"{v:,.1f}")
        ok = r[1] >= rec["target_ratio"]
        target = f">= {rec['target_ratio']:g}x PyTorch" if m == "train" else f">= {rec['target_ratio']:g}x lower than eager"
        verdict = "MET" if ok else f"MISSED (needs {rec['target_ratio'] / r[1]:.2f}x more)"
        if m == "b1":
            onnx = ONNX_US[w]
            target += f"; < {onnx:g} us"
            verdict += "; " + (f"{d[1]:.1f} us < {onnx:g}: MET" if d[1] < onnx else f"{d[1]:.1f} us >= {onnx:g}: MISSED")
        lines.append(f"| {label} | {fmt(d[1])} [{fmt(d[0])}-{fmt(d[2])}] | {fmt(t[1])} [{fmt(t[0])}-{fmt(t[2])}] "
                     f"| {r[1]:.2f}x [{r[0]:.2f}-{r[2]:.2f}] | {target} | {verdict} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
