#!/usr/bin/env python3
"""ratios.py - a benchmark result beside its baseline, as the tables of docs/BENCHMARKS.md.

Reads the JSON that Google Benchmark writes with --benchmark_out and prints one Markdown row
per RESULT=BASELINE pair: both medians (real and CPU time) and RESULT/BASELINE. When both
sides report the server's CPU per iteration (the peer_cpu_ns counter of the socket and FUSE
benchmarks), its medians and their ratio are appended. Ratios only
mean something within one run (same machine, same load), which is why they are computed here
rather than copied between runs.

  accel_bench_socket --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \\
      --benchmark_out=socket.json
  bench/ratios.py socket.json Libaccel/VERSION=PingPong/bare
"""
import json
import sys


def medians(path):
    """{run_name: (real_ns, cpu_ns, peer_ns or None)} of the median aggregates (or single
    runs) in path."""
    with open(path) as f:
        doc = json.load(f)
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
    out = {}
    for b in doc["benchmarks"]:
        if b.get("aggregate_name", "median") != "median":
            continue
        k = scale[b.get("time_unit", "ns")]
        out[b["run_name"]] = (b["real_time"] * k, b["cpu_time"] * k, b.get("peer_cpu_ns"))
    return out


def fmt(ns):
    return f"{ns / 1e3:.2f} µs" if ns >= 1e3 else f"{ns:.1f} ns"


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    m = medians(argv[1])
    pairs = [p.split("=", 1) for p in argv[2:]]
    peers = all(m[r][2] is not None and m[b][2] is not None for r, b in pairs)
    head = "| result | real | CPU | baseline | real | CPU | ratio real | ratio CPU |"
    rule = "|---|---:|---:|---|---:|---:|---:|---:|"
    if peers:
        head += " server CPU | baseline server CPU | ratio server CPU |"
        rule += "---:|---:|---:|"
    print(head)
    print(rule)
    for res, base in pairs:
        (rr, rc, rp), (br, bc, bp) = m[res], m[base]
        row = (f"| {res} | {fmt(rr)} | {fmt(rc)} | {base} | {fmt(br)} | {fmt(bc)} "
               f"| {rr / br:.2f}× | {rc / bc:.2f}× |")
        if peers:
            row += f" {fmt(rp)} | {fmt(bp)} | {rp / bp:.2f}× |"
        print(row)


if __name__ == "__main__":
    main(sys.argv)
