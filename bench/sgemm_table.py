"""GFLOP/s table of SgemmBench against FmaCeilingBench from JMH JSON results.

Usage: sgemm_table.py FMA.json [FMA.json ...] SGEMM.json
Each measurement window is one sample; we print min and median over the windows. The
fraction of the ceiling divides medians by the median ceiling for the same thread count.
"""
import json
import statistics
import sys


def windows(metric):
    return [x for fork in metric["rawData"] for x in fork]


def main(paths):
    ceiling = {1: [], 2: []}
    for path in paths[:-1]:
        for r in json.load(open(path)):
            flops = windows(r["secondaryMetrics"]["flops"])
            ceiling[r["threads"]] += [f / 1e9 for f in flops]
    print("FMA ceiling (GFLOP/s)   min     median  windows")
    for t in (1, 2):
        c = ceiling[t]
        print(f"  {t} thread{'s' if t > 1 else ' '}            {min(c):7.1f} {statistics.median(c):7.1f}  {len(c)}")
    print()
    print("SGEMM NN      threads   min GF/s  median GF/s  median/ceiling")
    rows = {}
    for r in json.load(open(paths[-1])):
        n = int(r["params"]["n"])
        t = int(r["params"]["threads"])
        g = [s * 2 * n ** 3 / 1e9 for s in windows(r["primaryMetric"])]
        frac = statistics.median(g) / statistics.median(ceiling[t])
        rows[(n, t)] = frac
        print(f"  n={n:<5}     {t}        {min(g):8.1f}  {statistics.median(g):11.1f}  {frac:14.0%}")
    print()
    for (n, t, bar) in ((1024, 1, 0.75), (2048, 2, 0.70)):
        if (n, t) in rows:
            ok = "meets" if rows[(n, t)] >= bar else "MISSES"
            print(f"bar n={n} {t} thread(s): >= {bar:.0%} of ceiling: {rows[(n, t)]:.0%} {ok}")


if __name__ == "__main__":
    main(sys.argv[1:])
