#!/usr/bin/env python3
"""`just bench-scale`: the results table (markdown) from the client's JSON lines and the seed logs.

    scale_report.py OUT SMALL_NAME BIG_NAME SMALL_TASKS BIG_TASKS PROFILE
"""
import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone

out, small, big, small_n, big_n, profile = sys.argv[1:7]


def rows(name):
    path = f"{out}/taskforge_scale_{name}.jsonl"
    with open(path) as f:
        return {r["shape"]: r for r in map(json.loads, f)}


def seed_lines(name):
    with open(f"{out}/taskforge_scale_{name}.seed") as f:
        return [l.rstrip() for l in f if l.startswith(("seed: ", "reconcile: drift"))]


cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
s, b = rows(small), rows(big)
print(f"# Scale results\n\n{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, commit {commit}, {os.cpu_count()} cores"
      f" ({cpu}), cargo profile `{profile}`, written by `just bench-scale`. Sequential requests as a"
      " seeded admin of the biggest team; milliseconds. Targets (issue 13): p95 < 20 ms for lists and"
      " search, < 50 ms for dashboards, p95 ratio big/small <= 2.\n")
for name, n in ((small, small_n), (big, big_n)):
    print(f"## Seed: {int(n):,} tasks\n\n```\n" + "\n".join(seed_lines(name)) + "\n```\n")
print(f"## Latency\n\n| shape | p50 {small} | p95 {small} | p99 {small} | p50 {big} | p95 {big} | p99 {big} | p95 ratio | target |")
print("|---|---|---|---|---|---|---|---|---|")
for shape, r in s.items():
    q = b.get(shape, {})
    if r.get("status") != 200 or q.get("status") != 200:
        why = "endpoint not in this build" if 404 in (r.get("status"), q.get("status")) else f"status {r.get('status')}/{q.get('status')}"
        print(f"| {shape} | not measured: {why} ||||||||")
        continue
    limit = 50 if shape.startswith("dashboard") else 20
    ratio = q["p95"] / r["p95"]
    missed = [why for why, bad in ((f"p95 >= {limit} ms", q["p95"] >= limit), ("ratio > 2", ratio > 2)) if bad]
    verdict = f"miss ({', '.join(missed)})" if missed else "pass"
    print(f"| {shape} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {q['p50']:.1f} | {q['p95']:.1f}"
          f" | {q['p99']:.1f} | {ratio:.2f} | {verdict} |")
