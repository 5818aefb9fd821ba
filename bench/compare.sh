#!/usr/bin/env bash
# dlm vs PyTorch on the same workloads, in one run on this machine:
#   1. builds dlm offline in a private directory (the committed tree, HEAD, by default),
#   2. runs dlm.bench.compare.ModelBench (JVM backend and interpreter),
#   3. runs the PyTorch peer bench/peers/pytorch/bench.py (OpenBLAS OpenMP build + oneDNN),
#   4. prints and writes a side-by-side markdown table with ratios and the targets.
#
# Usage: bench/compare.sh [--fmnist] [--worktree] [--no-interp] [--quick] [--paired] [-- ModelBench options...]
#   --fmnist    also train LeNet-5 on Fashion-MNIST for 2 epochs on both (adds ~2-10 min)
#   --worktree  build the working tree (uncommitted changes included) instead of HEAD
#   --no-interp skip dlm's reference interpreter
#   --quick     short repeats (0.5 s x 2), 1 epoch: to check the script, not for numbers
#   --reuse-build  skip the build when $BUILD_DIR already holds one (the commit it was built from is reported)
#   --paired    instead of 2-4: training throughput and batch-1 latency of both in alternating
#               1 s windows, the ratio as the median of neighbouring pairs (bench/paired.py;
#               robust to the machine's speed drifting; ~3 min); writes paired.md
# Environment: OUT (result directory, default bench/target/compare/<UTC stamp>),
#   BUILD_DIR (default /tmp/dlm-compare-build-$USER; deleted and rebuilt), DLM_THREADS (default:
#   every core), JAVA_HOME (default Temurin 25).
# Outputs in $OUT: dlm.jsonl, pytorch.jsonl, compare.md, dlm.log, pytorch.log, build.log.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
PY=/usr/bin/python3   # Debian python3-torch; a pyenv python3 on PATH cannot see it

fmnist=0; worktree=0; interp=1; quick=0; reuse=0; paired=0; extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --fmnist) fmnist=1 ;;
    --worktree) worktree=1 ;;
    --no-interp) interp=0 ;;
    --quick) quick=1 ;;
    --reuse-build) reuse=1 ;;
    --paired) paired=1 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

stamp=$(date -u +%Y%m%dT%H%M%SZ)
OUT=${OUT:-$root/bench/target/compare/$stamp}
BUILD_DIR=${BUILD_DIR:-/tmp/dlm-compare-build-${USER:-$(id -un)}}
threads=${DLM_THREADS:-$(nproc)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
t_all=$(date +%s)

# ---- 1. build in a private directory, so that other people's target/ dirs are left alone
commit=$(git -C "$root" rev-parse --short HEAD)
if [ $reuse = 1 ] && [ -f "$BUILD_DIR/bench/target/benchmarks.jar" ] && [ -f "$BUILD_DIR/.compare-commit" ]; then
  commit=$(cat "$BUILD_DIR/.compare-commit")
  echo "== reusing the build of dlm $commit in $BUILD_DIR" >&2
  build_s=0
else
rm -rf "$BUILD_DIR" && mkdir -p "$BUILD_DIR"
if [ $worktree = 1 ]; then
  commit="$commit+worktree"
  (cd "$root" && tar --exclude=target --exclude=.git -cf - .) | (cd "$BUILD_DIR" && tar xf -)
else
  git -C "$root" archive HEAD | tar -x -C "$BUILD_DIR"
fi
echo "== building dlm $commit in $BUILD_DIR (offline)" >&2
t0=$(date +%s)
if ! (cd "$BUILD_DIR" && mvn -B -q -o -pl bench -am package -DskipTests >"$OUT/build.log" 2>&1); then
  echo "compare.sh: build failed, see $OUT/build.log" >&2; tail -30 "$OUT/build.log" >&2; exit 1
fi
build_s=$(( $(date +%s) - t0 ))
echo "$commit" >"$BUILD_DIR/.compare-commit"
fi

L=/usr/lib/x86_64-linux-gnu
# OpenBLAS OpenMP build. On an Intel CPU with AVX-512 its AVX-512 kernels are forced (its CPU
# detection falls back to SSE3 kernels on recent Xeon models); forcing them on a CPU without
# AVX-512 dies with SIGILL, so there the library picks its kernels itself (Zen/Haswell: AVX2).
if grep -qw avx512f /proc/cpuinfo; then
  blas_env=(OPENBLAS_CORETYPE=SkylakeX BENCH_VARIANT=openblas-omp-skx)
else
  blas_env=(BENCH_VARIANT=openblas-omp-auto)
fi

if [ $paired = 1 ]; then
  # ---- the paired protocol alone: both programs loaded, windows alternating
  echo "Run $(date -u '+%Y-%m-%d %H:%M:%S UTC') on $(lscpu | grep 'Model name' | sed 's/Model name: *//') ($(nproc) cpus); dlm $commit, threads $threads; load $(cut -d' ' -f1-3 /proc/loadavg)" >"$OUT/paired.md"
  dlm_w="$JAVA_HOME/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xss16m -Xmx8g -Ddlm.threads=$threads -cp $BUILD_DIR/bench/target/benchmarks.jar dlm.bench.compare.Windows $BUILD_DIR/examples"
  pt_w="env -u OPENBLAS_L2_SIZE -u OPENBLAS_CORETYPE LD_LIBRARY_PATH=$L/openblas-openmp ${blas_env[*]} $PY $root/bench/peers/pytorch/windows.py $threads"
  pair_args=(--out "$OUT")
  [ $quick = 1 ] && pair_args+=(--pairs 2 --window 0.3)
  "$PY" "$root/bench/paired.py" --dlm "$dlm_w" --torch "$pt_w" "${pair_args[@]}" ${extra[@]+"${extra[@]}"} | tee -a "$OUT/paired.md"
  echo "" >>"$OUT/paired.md"; echo "Commands: $dlm_w; $pt_w" >>"$OUT/paired.md"
  echo "== wrote $OUT/paired.md" >&2
  exit 0
fi

# ---- 2 and 3. dlm, then PyTorch, back to back
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
date_start=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
cpu=$(lscpu | grep 'Model name' | sed 's/Model name: *//')

mb_args=(--examples "$BUILD_DIR/examples" --out "$OUT/dlm.jsonl" --threads "$threads" --commit "$commit")
[ $fmnist = 1 ] && mb_args+=(--fmnist)
[ $interp = 0 ] && mb_args+=(--no-interp)
[ $quick = 1 ] && mb_args+=(--min-time 0.5 --repeats 2 --warmup 1 --warmup-max 0 --interp-min-time 0.3 --interp-repeats 1 --interp-budget 5 --interp-resnet-timeout 10 --epochs 1)
dlm_cmd=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
         -XX:+UseParallelGC -Xss16m -Xmx8g -cp "$BUILD_DIR/bench/target/benchmarks.jar"
         dlm.bench.compare.ModelBench "${mb_args[@]}" ${extra[@]+"${extra[@]}"})
echo "== dlm: ${dlm_cmd[*]}" >&2
t0=$(date +%s)
"${dlm_cmd[@]}" 2> >(grep --line-buffered -v '^WARNING: Using incubator modules' | tee "$OUT/dlm.log" >&2) >"$OUT/dlm.table.txt"
dlm_s=$(( $(date +%s) - t0 ))
load_mid=$(cut -d' ' -f1-3 /proc/loadavg)

workloads=mlp64,lenet5
[ $fmnist = 1 ] && workloads=$workloads,fmnist
pt_args=(--workloads "$workloads" --threads "$threads" --max-repeats 5 --wait-quiet 0 --wait-repeat 0)
[ $quick = 1 ] && pt_args+=(--min-time 0.5 --repeats 2 --max-repeats 2 --epochs 1)
pt_cmd=(env -u OPENBLAS_L2_SIZE -u OPENBLAS_CORETYPE LD_LIBRARY_PATH=$L/openblas-openmp "${blas_env[@]}"
        "$PY" "$root/bench/peers/pytorch/bench.py" "${pt_args[@]}")
echo "== PyTorch: ${pt_cmd[*]}" >&2
t0=$(date +%s)
"${pt_cmd[@]}" >"$OUT/pytorch.jsonl" 2>"$OUT/pytorch.log" || { echo "compare.sh: PyTorch peer failed, see $OUT/pytorch.log" >&2; tail -20 "$OUT/pytorch.log" >&2; exit 1; }
pt_s=$(( $(date +%s) - t0 ))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
total_s=$(( $(date +%s) - t_all ))

# ---- 4. the table
export DATE_START="$date_start" CPU="$cpu" LOAD_BEFORE="$load_before" LOAD_MID="$load_mid" LOAD_AFTER="$load_after" \
       COMMIT="$commit" THREADS="$threads" DLM_CMD="${dlm_cmd[*]}" PT_CMD="${pt_cmd[*]}" \
       TIMES="build ${build_s} s, dlm ${dlm_s} s, PyTorch ${pt_s} s, total ${total_s} s" QUICK="$quick"
"$PY" - "$OUT" <<'PYEOF' | tee "$OUT/compare.md"
import json, os, sys
out = sys.argv[1]

def load(p):
    with open(p) as f:
        return [json.loads(l) for l in f if l.strip()]

dlm = {}
for r in load(os.path.join(out, "dlm.jsonl")):
    if r.get("record") == "metric":
        dlm[(r["workload"], r["backend"], r["metric"])] = r
pt = {r["workload"]: r for r in load(os.path.join(out, "pytorch.jsonl")) if r.get("record") == "workload"}

def fnum(v, digits=None):
    if v is None: return "-"
    if digits is None:
        digits = 0 if abs(v) >= 1000 else 1 if abs(v) >= 10 else 2 if abs(v) >= 1 else 3
    return f"{v:,.{digits}f}"

def rng(s, scale=1.0):
    """median [min-max] of a stats dict."""
    if not s or s.get("median") is None: return "-"
    m, lo, hi = s["median"] * scale, s["min"] * scale, s["max"] * scale
    if s.get("n_repeats", 0) <= 1 and lo == hi: return fnum(m) + " (1 run)"
    return f"{fnum(m)} [{fnum(lo)}-{fnum(hi)}]"

def med(s, scale=1.0):
    return None if not s or s.get("median") is None else s["median"] * scale

def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b

def fr(x):
    return "-" if x is None else (f"{x:.2f}x" if x < 10 else f"{x:.1f}x")

rows = []
verdicts = []
def row(label, jvm, interp, speedup, peer, r, target=""):
    rows.append(f"| {label} | {jvm} | {interp} | {fr(speedup)} | {peer} | {fr(r)} | {target} |")

def verdict(name, ok, text):
    verdicts.append(f"- {'MET' if ok else 'MISSED'}: {name}: {text}")

for wl, peer_name, b, lat_ref in (("keras_mlp", "mlp64", 256, 40.0), ("lenet5", "lenet5", 128, 44.0)):
    P = pt.get(peer_name, {})
    unit = "samples/s" if wl == "keras_mlp" else "images/s"
    # training throughput
    j, i = dlm.get((wl, "jvm", "train")), dlm.get((wl, "interp", "train"))
    pv = P.get("train_samples_per_s")
    rr = ratio(med(j), med(pv))
    row(f"{wl} train b{b} ({unit})", rng(j), rng(i), ratio(med(j), med(i)), rng(pv), rr, ">= 1.5x PyTorch")
    if rr is not None:
        verdict(f"{wl} training throughput >= 1.5x PyTorch", rr >= 1.5,
                f"{rr:.3f}x ({fnum(med(j))} vs {fnum(med(pv))} {unit}); " +
                ("" if rr >= 1.5 else f"needs {1.5 / rr:.1f}x more"))
    # batched predict
    j, i = dlm.get((wl, "jvm", "predict")), dlm.get((wl, "interp", "predict"))
    pv = P.get("infer_samples_per_s")
    row(f"{wl} predict b{b} ({unit})", rng(j), rng(i), ratio(med(j), med(i)), rng(pv), ratio(med(j), med(pv)),
        "(ONNX RT Java: " + ("185,000" if wl == "keras_mlp" else "71,000") + ")")
    # batch-1 latency
    j, i = dlm.get((wl, "jvm", "predict_b1_latency")), dlm.get((wl, "interp", "predict_b1_latency"))
    jm, im = (j or {}).get("median_us"), (i or {}).get("median_us")
    pe = P.get("latency_b1_eager", {}).get("median_us")
    pj = P.get("latency_b1_jit_freeze", {}).get("median_us")
    rr = ratio(med(pe), med(jm))
    row(f"{wl} predict b1 latency, median (us)", rng(jm), rng(im), ratio(med(im), med(jm)), rng(pe) + " eager", rr,
        f">= 5x lower than eager; < {lat_ref:.0f} us (ONNX RT Java)")
    row(f"{wl} predict b1 latency, median (us), vs TorchScript", rng(jm), "", None, rng(pj) + " jit.freeze", ratio(med(pj), med(jm)), "")
    j1 = (dlm.get((wl, "jvm", "predict_b1_latency_1thread")) or {}).get("median_us")
    if j1:
        row(f"{wl} predict b1 latency, median (us), dlm with 1 kernel thread", rng(j1), "", None, rng(pe) + " eager", ratio(med(pe), med(j1)), "(information)")
    jp, ip = (j or {}).get("p99_us"), (i or {}).get("p99_us")
    pp = P.get("latency_b1_eager", {}).get("p99_us")
    row(f"{wl} predict b1 latency, p99 (us)", rng(jp), rng(ip), ratio(med(ip), med(jp)), rng(pp) + " eager", ratio(med(pp), med(jp)), "")
    if rr is not None:
        verdict(f"{wl} batch-1 latency >= 5x lower than PyTorch eager", rr >= 5,
                f"{rr:.2f}x ({fnum(med(jm))} us vs {fnum(med(pe))} us)" + ("" if rr >= 5 else f"; needs {5 / rr:.1f}x faster"))
    if med(jm) is not None:
        verdict(f"{wl} batch-1 latency below ONNX Runtime Java's {lat_ref:.0f} us", med(jm) < lat_ref,
                f"{fnum(med(jm))} us" + ("" if med(jm) < lat_ref else f", {med(jm) / lat_ref:.1f}x too slow"))

j, i = dlm.get(("resnet50", "jvm", "predict_b1_latency")), dlm.get(("resnet50", "interp", "predict_b1_latency"))
if j or i:
    jm, im = (j or {}).get("median_us"), (i or {}).get("median_us")
    ic = rng(im, 1e-3) if im else ("skipped: " + i.get("skipped", i.get("error", "?")) if i else "not run")
    row("resnet50 predict b1 latency, median (ms)", rng(jm, 1e-3), ic, ratio(med(im), med(jm)),
        "not measured (bench.py has no ResNet-50)", None, "")

f, pf = dlm.get(("fmnist", "jvm", "fit")), pt.get("lenet5-fashion-mnist-train")
if f or pf:
    de = [e["train_wall_s"] for e in f["epochs"]] if f else []
    pe = [e["train_wall_s"] for e in pf["epochs"]] if pf else []
    dm = sum(de) / len(de) if de else None
    pm = sum(pe) / len(pe) if pe else None
    da = f.get("test_accuracy") if f else None
    pa = pf["epochs"][-1]["test_accuracy"] if pf else None
    fmt = lambda xs: ", ".join(f"{x:.1f}" for x in xs) if xs else "-"
    rr = ratio(pm, dm)
    row(f"Fashion-MNIST lenet5, s per epoch ({len(de) or len(pe)} epochs, b128)", fmt(de), "not run", None, fmt(pe), rr, "<= half of PyTorch's (>= 2x)")
    row("Fashion-MNIST lenet5, test accuracy", "-" if da is None else f"{100 * da:.2f}%", "", None,
        "-" if pa is None else f"{100 * pa:.2f}%", None, ">= 84%")
    if rr is not None:
        verdict("Fashion-MNIST epoch time <= half of PyTorch's", rr >= 2,
                f"{dm:.1f} s vs {pm:.1f} s per epoch, PyTorch/dlm = {rr:.2f}x" + ("" if rr >= 2 else f"; needs {2 / rr:.1f}x faster"))
    if da is not None:
        verdict("Fashion-MNIST >= 84% test accuracy in 2 epochs", da >= 0.84, f"{100 * da:.2f}%")

def foreign(recs):
    """Median share of the CPUs other processes used during the timed repeats."""
    xs = []
    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k == "foreign_cpu_frac_per_repeat": xs.extend(x for x in v if x is not None and x >= 0)
                elif k == "foreign_cpu_frac" and isinstance(v, (int, float)) and v >= 0: xs.append(v)
                else: walk(v)
        elif isinstance(o, list):
            for v in o: walk(v)
    walk(recs)
    xs.sort()
    return None if not xs else xs[len(xs) // 2]
fd = foreign(load(os.path.join(out, "dlm.jsonl")))
fp = foreign(load(os.path.join(out, "pytorch.jsonl")))

pe_env = next((r for r in load(os.path.join(out, "pytorch.jsonl")) if r.get("record") == "env"), {})
ob = (pe_env.get("openblas") or {}).get("corename")
E = os.environ
print(f"Run {E['DATE_START']} on {E['CPU']} ({os.cpu_count()} cpus); dlm {E['COMMIT']}, JVM backend threads = {E['THREADS']}, "
      f"PyTorch {pe_env.get('torch')} threads = {pe_env.get('torch_num_threads')}, OpenBLAS core {ob}.")
print(f"Load average (1/5/15 min): before {E['LOAD_BEFORE']}, between dlm and PyTorch {E['LOAD_MID']}, after {E['LOAD_AFTER']}. Times: {E['TIMES']}.")
if fd is not None and fp is not None:
    print(f"Other processes took a median {100 * fd:.0f}% of the CPUs during dlm's timed repeats and {100 * fp:.0f}% during PyTorch's (0% = quiet machine).")
if E.get("QUICK") == "1":
    print("\n**--quick run: short repeats, not for comparison.**")
print()
print("Cells: median [min-max] over the repeats (throughput: items/s of each repeat of >= 2 s; latency: the median or p99 of the per-call times of each repeat; interpreter: fewer, shorter repeats within a time budget).")
wu = [f"{k[0]} {k[2]} {v['warmup_used_s']:.1f} s" for k, v in dlm.items() if k[1] == "jvm" and v.get("warmup_used_s") is not None]
if wu:
    print("dlm JVM warm-up before the timed repeats (at least 2 s, then 1 s windows while the rate still rose by > 3%, at most 20 s; PyTorch: 0.5 s): " + "; ".join(wu) + ".")
print("'JVM vs interp' is the JVM backend's speed-up over dlm's reference interpreter; 'ratio' is dlm JVM / PyTorch for throughput and PyTorch / dlm JVM for latency and epoch time (> 1: dlm is better).")
print()
print("| metric | dlm JVM | dlm interp | JVM vs interp | PyTorch 1.13 | ratio | target |")
print("|---|---:|---:|---:|---:|---:|---|")
print("\n".join(rows))
print()
print("Targets (on medians):")
print("\n".join(verdicts))
print()
print("Commands:")
print()
print("    " + E["DLM_CMD"])
print("    " + E["PT_CMD"])
PYEOF
echo "== results in $OUT (${total_s} s in all)" >&2
