"""Renders the bench's results file from its runs (called by deploy/local/bench.sh).

    report.py RUNS HEADER > results.md

RUNS has one line per wrk run: key, figure, connections, then the `BENCH k=v ...` line of
common.lua. HEADER is markdown put first. Each TaskForge figure is set beside its ceiling
(`read` or `write`, measured in the same run) with the ratio and the issue's target.
"""

import sys

# key: (ceiling, least ratio, p99 below this many ms or None, no 409 required)
TARGETS = {
    "get_task": ("read", 0.5, 10, False),
    "get_me": ("read", 0.5, 10, False),
    "list": ("read", 0.25, None, False),
    "get_uncached": ("read", None, None, False),
    "create": ("write", 0.4, 50, False),
    "patch_many": ("write", 0.4, 50, False),
    "patch_one": ("write", 0.4, 50, False),
    "mixed": ("read", 0.15, 100, True),
}


def parse(path):
    runs = {}
    order = []
    with open(path) as f:
        for line in f:
            key, figure, conns, bench = line.rstrip("\n").split("\t")
            fields = dict(kv.split("=", 1) for kv in bench.split()[1:])
            runs[key] = {"figure": figure, "conns": conns, **fields}
            order.append(key)
    return runs, order


def ms(us):
    return f"{int(us) / 1000:.2f} ms"


def statuses(run):
    counted = dict(s.split(":") for s in run["statuses"].split(",") if s)
    return {int(k): int(v) for k, v in counted.items()}


def non_2xx(run):
    text = run["non2xx"]
    odd = {k: v for k, v in statuses(run).items() if not 200 <= k < 300}
    if odd:
        text += " (" + ", ".join(f"{k}: {v}" for k, v in sorted(odd.items())) + ")"
    if int(run["socket_errors"]):
        text += f", {run['socket_errors']} socket errors"
    return text


def main(runs_path, header_path):
    runs, order = parse(runs_path)
    print(open(header_path).read())
    print("| figure | conns | requests/s | p50 | p99 | non-2xx | ceiling | ratio | target | result |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for key in order:
        run = runs[key]
        cells = [run["figure"], run["conns"], f"{float(run['rps']):,.0f}", ms(run["p50_us"]),
                 ms(run["p99_us"]), non_2xx(run)]
        if key not in TARGETS:
            print("| " + " | ".join(cells + ["(ceiling)", "", "", ""]) + " |")
            continue
        ceiling, least, p99_ms, no_409 = TARGETS[key]
        base = runs.get(ceiling)
        ratio = float(run["rps"]) / float(base["rps"]) if base and float(base["rps"]) else None
        wants, misses = [], []
        if least is not None:
            wants.append(f">= {least} x")
            if ratio is None or ratio < least:
                misses.append("ratio")
        if p99_ms is not None:
            wants.append(f"p99 < {p99_ms} ms")
            if int(run["p99_us"]) >= p99_ms * 1000:
                misses.append("p99")
        if no_409:
            wants.append("no 409")
        if no_409 and statuses(run).get(409):
            misses.append("409")
        if int(run["non2xx"]) or int(run["socket_errors"]):
            misses.append("errors")
        if wants:
            result = "pass" if not misses else "miss: " + ", ".join(misses)
        else:
            result = "(no target)"
        cells += [f"{ceiling} ({float(base['rps']):,.0f}/s)" if base else ceiling,
                  f"{ratio:.2f}" if ratio is not None else "?", ", ".join(wants) or "-",
                  result]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
