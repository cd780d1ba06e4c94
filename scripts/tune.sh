#!/usr/bin/env bash
# Documented runs of `policylab tune` (docs/tuning.md), one environment per call: a PPO study with TPE for each pruner
# in PRUNERS (same seed, space and budget), then the first study's winner against the shipped defaults
# (configs/ppo.yaml): environment steps until an evaluation reaches the reward threshold, on each seed in SEEDS.
# Pruning is reported twice: the studies as run (each follows its own trial sequence, since TPE learns from what was
# pruned), and the pruning rules replayed on the unpruned study's learning curves (one trial sequence for all rules;
# scripts/replay-pruners.py). Last, on each seed in FINAL_SEEDS, both configurations train for the section's full
# n_timesteps and their final policies are evaluated on 100 deterministic episodes (does the fast learner end as well?).
# Prints a markdown table at the end (also written to OUT_DIR/results.md).
# Usage: scripts/tune.sh ENV [OUT_DIR]    ENV: CartPole-v1 or LunarLander-v3
#   scale with TRIALS, STEPS, SEEDS, MAX_STEPS, EVAL_FREQ; PRUNERS (default "median none"; the first one's winner is
#   the one exported). A finished study or threshold run found in OUT_DIR is reused (delete it to rerun it).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
env="${1:?usage: scripts/tune.sh ENV [OUT_DIR]  (ENV: CartPole-v1 or LunarLander-v3)}"
# Per environment: trial budget, cap and evaluation period of the threshold runs, reward threshold, search space.
case "$env" in
  CartPole-v1)    steps=20000;  max_steps=200000;  eval_freq=2000;  threshold=475; space=tune-ppo-cartpole-space.yaml ;;
  # 10 evaluations at multiples of 16384, where every rollout of the space (16 copies × 32…1024 steps) ends.
  LunarLander-v3) steps=163840; max_steps=1000000; eval_freq=16384; threshold=200; space=tune-ppo-lunarlander-space.yaml ;;
  *) echo "scripts/tune.sh: no documented study for '$env' (CartPole-v1 or LunarLander-v3)." >&2; exit 2 ;;
esac
out="${2:-tune-$(echo "${env%%-*}" | tr '[:upper:]' '[:lower:]')}"
TRIALS="${TRIALS:-50}"; STEPS="${STEPS:-$steps}"; SEEDS="${SEEDS:-0 1 2}"; MAX_STEPS="${MAX_STEPS:-$max_steps}"
EVAL_FREQ="${EVAL_FREQ:-$eval_freq}"; PRUNERS="${PRUNERS:-median none}"; FINAL_SEEDS="${FINAL_SEEDS:-0 1 2}"
space="$repo/configs/experiments/$space"
pl="$repo/policylab"
mkdir -p "$out"
common=(tune --algo ppo --env "$env" --trials "$TRIALS" --steps-per-trial "$STEPS" --eval-every "$((STEPS / 10))" --space "$space" --objective mean --seed 0)
for pruner in $PRUNERS; do
  db="$out/study-$pruner.db"
  [ -f "$db.done" ] || { "$pl" "${common[@]}" --pruner "$pruner" --storage "$db" > "$out/tune-$pruner.log" && touch "$db.done"; }
  "$pl" tune show "$db" -o "$out/report-$pruner.html" > "$out/show-$pruner.log"
done
first="$(set -- $PRUNERS; echo "$1")"
"$pl" tune export --study "$out/study-$first.db" -o "$out/winner.yaml" > "$out/export.log"

# Environment steps and the objective of each study (python only reads the SQLite files).
study_row() { python3 - "$1" "$2" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[2])
steps, = c.execute("select sum(env_steps) from trials").fetchone()
n = dict(c.execute("select state, count(*) from trials group by state").fetchall())
best, = c.execute("select max(value) from trials where state='complete'").fetchone()
print(f"| {sys.argv[1]} | {n.get('complete',0)} | {n.get('pruned',0)} | {n.get('failed',0)} | {best:.1f} | {steps} |")
PY
}
steps_of() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("select sum(env_steps) from trials").fetchone()[0])' "$1"; }

# Steps to the threshold: train until an evaluation (every EVAL_FREQ steps, 10 episodes) reaches it, at most MAX_STEPS.
to_threshold() { # label seed config-args...
  local label="$1" seed="$2"; shift 2
  local result="$out/threshold-$label-s$seed.json"
  grep -q end_reason "$result" 2>/dev/null ||
    "$pl" train --algo ppo --env "$env" --seed "$seed" --steps "$MAX_STEPS" "$@" --set stop_at_threshold=true --set reward_threshold="$threshold" \
      --set eval_freq="$EVAL_FREQ" --set tensorboard=false --set checkpoint_freq=0 --out "$out/threshold-$label-s$seed" --json | tail -1 > "$result"
  python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r["env_steps"] if "threshold" in r["end_reason"] else "not reached (%d)" % r["env_steps"])' "$result"
}
rows=""
for seed in $SEEDS; do
  d="$(to_threshold defaults "$seed")"; w="$(to_threshold winner "$seed" --config "$out/winner.yaml")"
  rows+="| $seed | $d | $w |"$'\n'
done
# The final policy after the section's n_timesteps (the shipped budget), 100 deterministic episodes.
final_eval() { # label seed config-args...
  local label="$1" seed="$2"; shift 2
  local run="$out/final-$label-s$seed"
  [ -f "$run.eval.json" ] || {
    "$pl" train --algo ppo --env "$env" --seed "$seed" "$@" --set tensorboard=false --out "$run" --json | tail -1 > "$run.train.json"
    "$pl" eval --run "$run" --episodes 100 --json | tail -1 > "$run.eval.json"; }
  python3 -c '
import json, sys
t, e = (json.load(open(sys.argv[1] + x)) for x in (".train.json", ".eval.json"))
print("%.1f ± %.1f (%s steps)" % (e["mean_return"], e["std_return"], format(t["env_steps"], ",")))' "$run"
}
final_rows=""
for seed in $FINAL_SEEDS; do
  final_rows+="| $seed | $(final_eval defaults "$seed") | $(final_eval winner "$seed" --config "$out/winner.yaml") |"$'\n'
done
{
  echo "Study: PPO $env, $TRIALS trials of $STEPS steps, TPE (seed 0), objective = mean evaluation return over the trial, space $(basename "$space")."
  echo
  echo "| study | complete | pruned | failed | best objective | environment steps |"
  echo "|---|---|---|---|---|---|"
  for pruner in $PRUNERS; do study_row "$( [ "$pruner" = none ] && echo "no pruner" || echo "$pruner pruner")" "$out/study-$pruner.db"; done
  echo
  if [ -f "$out/study-none.db" ]; then
    full="$(steps_of "$out/study-none.db")"
    for pruner in $PRUNERS; do
      [ "$pruner" = none ] || echo "The $pruner pruner's study used $(python3 -c "print(f'{1 - $(steps_of "$out/study-$pruner.db") / $full:.0%}')") fewer environment steps than the unpruned study."
    done
    echo
    echo "The pruning rules replayed on the unpruned study's trial sequence and learning curves:"
    echo
    python3 "$repo/scripts/replay-pruners.py" "$out/study-none.db"
    echo
  fi
  echo "Environment steps until an evaluation (10 episodes, every $EVAL_FREQ steps) reaches $threshold (at most $MAX_STEPS):"
  echo
  echo "| seed | configs/ppo.yaml defaults | tuned (winner.yaml) |"
  echo "|---|---|---|"
  printf "%s" "$rows"
  echo
  if [ -n "$final_rows" ]; then
    echo "Final policy after the section's n_timesteps, 100 deterministic episodes (mean ± std):"
    echo
    echo "| seed | configs/ppo.yaml defaults | tuned (winner.yaml) |"
    echo "|---|---|---|"
    printf "%s" "$final_rows"
    echo
  fi
  echo "Winner: $(grep -v '^#' "$out/winner.yaml" | tr '\n' ' ')"
} | tee "$out/results.md"
