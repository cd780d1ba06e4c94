#!/usr/bin/env python3
"""Replays pruning rules on an unpruned study (a `policylab tune --pruner none` SQLite file) and prints a markdown table.

Every trial of the unpruned study trained to the end and reported every evaluation, and training is deterministic, so
a trial that a rule would have stopped at evaluation k would have reported exactly the same first k values and trained
exactly the environment steps recorded with evaluation k. Going through the trials in their order, each rule is applied
as `policylab tune` applies it (src/PolicyLab/Tuning/Pruners.cs), with the trials it would have seen: the median rule
compares with the trials the rule let complete, successive halving with every trial's values up to where the rule stopped
it. What the replay cannot show is the other half of a pruned study: TPE also learns from pruned trials, so a pruned
study suggests other trials after its first prune.
Usage: scripts/replay-pruners.py study-none.db [--startup-trials N]
"""
import json
import math
import sqlite3
import statistics
import sys


def load(path):
    c = sqlite3.connect(path)
    trials = []
    for tid, number, state, steps, value in c.execute("select id, number, state, env_steps, value from trials order by number"):
        if state != "complete":
            sys.exit(f"replay-pruners: trial {number} of {path} is {state}; replay needs an unpruned study whose trials all completed")
        curve = c.execute("select step, value, env_steps from intermediate where trial_id = ? order by step", (tid,)).fetchall()
        trials.append((number, steps, [(s, float("nan") if v is None else v, e) for s, v, e in curve], value))
    settings = json.loads(c.execute("select settings_json from studies").fetchone()[0])
    return trials, settings


def median_rule(startup, warmup):
    def run(trials):
        complete, used, pruned, kept = [], 0, 0, []
        for number, steps, curve, value in trials:
            stop = None
            for i, (step, _, env_steps) in enumerate(curve):
                if len(complete) < startup or step < warmup:
                    continue
                own = [v for _, v, _ in curve[: i + 1] if not math.isnan(v)]
                if not own:
                    stop = env_steps
                    break
                others = [c[step] for c in complete if step in c and not math.isnan(c[step])]
                if others and max(own) < statistics.median(others):
                    stop = env_steps
                    break
            if stop is None:
                used += steps
                complete.append({s: v for s, v, _ in curve})
                kept.append((value, number))
            else:
                used += stop
                pruned += 1
        return used, pruned, max(kept, default=(math.nan, None))
    return run


def halving_rule(min_resource=1, eta=4, min_early_stopping_rate=0):
    def run(trials):
        reported, used, pruned, kept = [], 0, 0, []  # reported: each earlier trial's (step, value) up to where it stopped
        for number, steps, curve, objective in trials:
            stop = None
            for i, (step, value, env_steps) in enumerate(curve):
                rung = 0
                while min_resource * eta ** (min_early_stopping_rate + rung) <= step:
                    rung_step = min_resource * eta ** (min_early_stopping_rate + rung)
                    rung += 1
                    first = next(s for s, _, _ in curve if s >= rung_step)
                    if first != step:
                        continue
                    if math.isnan(value):
                        stop = env_steps
                        break
                    competing = [next((v for s, v in r if s >= rung_step), None) for r in reported]
                    competing = sorted([v for v in competing if v is not None and not math.isnan(v)] + [value], reverse=True)
                    if value < competing[max(len(competing) // eta - 1, 0)]:
                        stop = env_steps
                        break
                if stop is not None:
                    break
            seen = curve if stop is None else [p for p in curve if p[2] <= stop]
            reported.append([(s, v) for s, v, _ in seen])
            used += steps if stop is None else stop
            pruned += stop is not None
            if stop is None:
                kept.append((objective, number))
        return used, pruned, max(kept, default=(math.nan, None))
    return run


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    trials, settings = load(args[0])
    startup = int(args[args.index("--startup-trials") + 1]) if "--startup-trials" in args else int(settings.get("StartupTrials", 10))
    evaluations = max(len(curve) for _, _, curve, _ in trials)
    full = sum(steps for _, steps, _, _ in trials)
    best = max((value, number) for number, _, _, value in trials)
    rules = [
        (f"median, RL Zoo's settings (after {startup} complete trials, from evaluation {evaluations // 3} of {evaluations})", median_rule(startup, evaluations // 3)),
        ("median, Optuna's defaults (after 5 complete trials, no warm-up)", median_rule(5, 0)),
        ("successive halving (min resource 1, η = 4: rungs at evaluations 1 and 4)", halving_rule()),
    ]
    print(f"| rule replayed on the {len(trials)} trials | pruned | environment steps | saved | best complete trial |")
    print("|---|---|---|---|---|")
    print(f"| none (the study as run) | 0 | {full} | — | #{best[1]}: {best[0]:.1f} |")
    for name, rule in rules:
        used, pruned, (value, number) = rule(trials)
        kept = "none complete" if number is None else f"#{number}: {value:.1f}"
        print(f"| {name} | {pruned} | {used} | {1 - used / full:.0%} | {kept} |")


if __name__ == "__main__":
    main()
