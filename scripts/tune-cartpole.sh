#!/usr/bin/env bash
# Documented run for `policylab tune` (docs/tuning.md): a PPO CartPole-v1 study with TPE and the median pruner, the same
# study unpruned (environment steps compared), then the winner against the shipped defaults (configs/ppo.yaml):
# environment steps until an evaluation reaches the reward threshold (475), on 3 seeds each.
# Usage: scripts/tune-cartpole.sh [OUT_DIR]    (scale with TRIALS, STEPS, SEEDS, MAX_STEPS, EVAL_FREQ)
# Prints a markdown table at the end (also written to OUT_DIR/results.md).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-tune-cartpole}"
TRIALS="${TRIALS:-50}"; STEPS="${STEPS:-20000}"; SEEDS="${SEEDS:-0 1 2}"; MAX_STEPS="${MAX_STEPS:-200000}"; EVAL_FREQ="${EVAL_FREQ:-2000}"
space="$repo/configs/experiments/tune-ppo-cartpole-space.yaml"
pl="$repo/policylab"
mkdir -p "$out"
common=(tune --algo ppo --env CartPole-v1 --trials "$TRIALS" --steps-per-trial "$STEPS" --eval-every "$((STEPS / 10))" --space "$space" --objective mean --seed 0)
for pruner in median none; do
  db="$out/study-$pruner.db"
  [ -f "$db.done" ] || { "$pl" "${common[@]}" --pruner "$pruner" --storage "$db" > "$out/tune-$pruner.log" && touch "$db.done"; }
  "$pl" tune show "$db" -o "$out/report-$pruner.html" > "$out/show-$pruner.log"
done
"$pl" tune export --study "$out/study-median.db" -o "$out/winner.yaml" > "$out/export.log"

# Environment steps and the objective of each study (python only reads the SQLite files).
study_line() { python3 - "$1" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
steps, = c.execute("select sum(env_steps) from trials").fetchone()
n = dict(c.execute("select state, count(*) from trials group by state").fetchall())
best, = c.execute("select max(value) from trials where state='complete'").fetchone()
print(f"{steps}|{n.get('complete',0)}|{n.get('pruned',0)}|{n.get('failed',0)}|{best:.1f}")
PY
}
IFS='|' read -r pruned_steps pc pp pf pbest < <(study_line "$out/study-median.db")
IFS='|' read -r full_steps fc fp ff fbest < <(study_line "$out/study-none.db")

# Steps to the threshold: train until an evaluation (every EVAL_FREQ steps, 10 episodes) reaches 475, at most MAX_STEPS.
to_threshold() { # label seed config-args...
  local label="$1" seed="$2"; shift 2
  "$pl" train --algo ppo --env CartPole-v1 --seed "$seed" --steps "$MAX_STEPS" "$@" --set stop_at_threshold=true --set eval_freq="$EVAL_FREQ" \
    --set tensorboard=false --set checkpoint_freq=0 --out "$out/threshold-$label-s$seed" --json | tail -1 | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
print(r["env_steps"] if "threshold" in r["end_reason"] else "not reached (%d)" % r["env_steps"])'
}
rows=""
for seed in $SEEDS; do
  d="$(to_threshold defaults "$seed")"; w="$(to_threshold winner "$seed" --config "$out/winner.yaml")"
  rows+="| $seed | $d | $w |"$'\n'
done
{
  echo "Study: PPO CartPole-v1, $TRIALS trials of $STEPS steps, TPE (seed 0), objective = mean evaluation return over the trial, space $(basename "$space")."
  echo
  echo "| study | complete | pruned | failed | best objective | environment steps |"
  echo "|---|---|---|---|---|---|"
  echo "| median pruner | $pc | $pp | $pf | $pbest | $pruned_steps |"
  echo "| no pruner | $fc | $fp | $ff | $fbest | $full_steps |"
  echo
  echo "Pruning saved $(python3 -c "print(f'{1 - $pruned_steps / $full_steps:.0%}')") of the unpruned study's environment steps."
  echo
  echo "Environment steps until an evaluation (10 episodes, every $EVAL_FREQ steps) reaches 475 (at most $MAX_STEPS):"
  echo
  echo "| seed | configs/ppo.yaml defaults | tuned (winner.yaml) |"
  echo "|---|---|---|"
  printf "%s" "$rows"
  echo
  echo "Winner: $(grep -v '^#' "$out/winner.yaml" | tr '\n' ' ')"
} | tee "$out/results.md"
