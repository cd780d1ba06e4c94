#!/usr/bin/env python3
"""Summarizes the runs of scripts/discretization-experiments.sh into a Markdown table.

Usage: discretization-table.py RUNS_DIR OUT.md "COMMAND PARAMETERS"
For every environment folder and arm (runs named <arm>-s<seed>): the final deterministic evaluation (mean of 10
episodes) per seed, its mean and standard deviation over seeds, the cells in use at the end (DQN and cube_pg) and the
wall time per environment step (timing.json; depends on the machine's load).
"""
import csv, json, os, re, statistics, sys

runs, out, params = sys.argv[1], sys.argv[2], sys.argv[3]
lines = ["# Adaptive discretization: results", "",
         f"Produced by `{params} scripts/discretization-experiments.sh` (table: `scripts/discretization-table.py`).",
         "Final deterministic evaluation = mean return of 10 evaluation episodes at the end of training; mean ± std over seeds.",
         "Wall time per step comes from timing.json and depends on the machine's load when the runs were made.", ""]
for env in sorted(d for d in os.listdir(runs) if os.path.isdir(os.path.join(runs, d))):
    arms = {}
    for name in sorted(os.listdir(os.path.join(runs, env))):
        m = re.fullmatch(r"(.+)-s(\d+)", name)
        path = os.path.join(runs, env, name)
        if not m or not os.path.isfile(os.path.join(path, "experiment.json")):
            continue
        exp = json.load(open(os.path.join(path, "experiment.json")))
        evals = exp.get("evaluations") or []
        if not evals:
            continue
        final = evals[-1]["mean_return"]
        cells = None
        with open(os.path.join(path, "metrics.csv")) as f:
            rows = list(csv.DictReader(f))
        if rows and "cells" in rows[-1] and rows[-1]["cells"] not in ("", None):
            cells = float(rows[-1]["cells"])
        timing = json.load(open(os.path.join(path, "timing.json")))
        per_step = 1e6 * timing["wall_seconds"] / max(1, timing["steps"])
        arms.setdefault(m.group(1), []).append((int(m.group(2)), final, cells, per_step, timing["steps"]))
    if not arms:
        continue
    lines += [f"## {env}", "", "| method | seeds | steps | final evaluation (mean ± std) | per seed | cells at the end | µs per env step |",
              "|---|---|---|---|---|---|---|"]
    for arm, results in sorted(arms.items(), key=lambda kv: -statistics.mean(r[1] for r in kv[1])):
        finals = [r[1] for r in sorted(results)]
        std = statistics.stdev(finals) if len(finals) > 1 else 0.0
        cells = [r[2] for r in results if r[2] is not None]
        cell_text = f"{statistics.mean(cells):.0f}" if cells else "—"
        lines.append(f"| {arm} | {len(finals)} | {results[0][4]} | {statistics.mean(finals):.1f} ± {std:.1f} | "
                     f"{', '.join(f'{x:.1f}' for x in finals)} | {cell_text} | {statistics.median(r[3] for r in results):.0f} |")
    lines.append("")
    short = env.rsplit("-v", 1)[0].lower()
    lines += [f"Learning curves: [adaptive-discretization-curves-{short}.svg](adaptive-discretization-curves-{short}.svg) "
              f"(`policylab plot runs/discretization/{env}/*/`).", ""]
tmp = out + ".tmp"
with open(tmp, "w") as f:
    f.write("\n".join(lines) + "\n")
os.replace(tmp, out)
print(f"wrote {out}")
