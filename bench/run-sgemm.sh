#!/usr/bin/env bash
# Runs SgemmBench between two runs of FmaCeilingBench (the ceiling measured before and
# after, pooled, so a change of load during the run shows up in its spread) and prints
# GFLOP/s, min and median over the measurement windows, as a fraction of the ceiling; then
# SgemmVsCeiling, which pairs each SGEMM window with a ceiling window measured just before it
# (the ceiling drifts with the other tenants' load, so ratios across minutes are noisy).
# Extra arguments go to JMH, e.g.  bench/run-sgemm.sh -p n=1024
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAR=bench/target/benchmarks.jar
OUT=bench/target/sgemm-run
if [ ! -f "$JAR" ]; then
  mvn -q -pl bench -am package -Dmaven.test.skip=true
fi
mkdir -p "$OUT"
jmh() { "$JAVA_HOME/bin/java" -jar "$JAR" "$@"; }
jmh 'dlm.bench.FmaCeilingBench' -rf json -rff "$OUT/fma-before.json"
jmh 'dlm.bench.SgemmBench' -rf json -rff "$OUT/sgemm.json" "$@"
jmh 'dlm.bench.FmaCeilingBench' -rf json -rff "$OUT/fma-after.json"
python3 bench/sgemm_table.py "$OUT/fma-before.json" "$OUT/fma-after.json" "$OUT/sgemm.json"
echo
echo "Paired windows (dlm.bench.SgemmVsCeiling): each SGEMM window over the ceiling measured just before it"
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "$JAR" dlm.bench.SgemmVsCeiling 1024,2048 1,2 2>&1 \
  | grep -v '^WARNING: Using incubator modules'
echo "bars: n=1024 1 thread >= 75%; n=2048 2 threads >= 70% (medians of the paired ratios)"
