#!/usr/bin/env bash
# The adaptive-discretization experiment (issue 19): on Pendulum-v1 and MountainCarContinuous-v0, DQN on uniform
# action grids of several sizes vs DQN with action zooming vs policy gradient over cubes (cube_pg) vs Gaussian policies
# (SAC on Pendulum, PPO on both), SEEDS seeds each at the stated budgets. Writes every run under OUT/, learning curves
# (OUT/<env>.svg via `policylab plot`) and the table docs/adaptive-discretization-results.md (scripts/discretization-table.py).
# Usage: scripts/discretization-experiments.sh [OUT]
#   SEEDS="0 1 2 3 4"  PENDULUM_STEPS=30000  MCC_STEPS=50000  (the full protocol; the defaults)
#   e.g. a reduced run: SEEDS="0 1" PENDULUM_STEPS=10000 MCC_STEPS=10000 nice -n 10 scripts/discretization-experiments.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/runs/discretization}"
SEEDS="${SEEDS:-0 1 2 3 4}"
PENDULUM_STEPS="${PENDULUM_STEPS:-30000}"
MCC_STEPS="${MCC_STEPS:-50000}"
mkdir -p "$out"

# DQN on a continuous task: soft target updates every step, one gradient step per step (the seed study's setting).
DQN=(--set learning_rate=0.001 --set buffer_size=100000 --set learning_starts=1000 --set batch_size=64 --set train_freq=1
     --set gradient_steps=1 --set target_update_interval=1 --set tau=0.01 --set q_layers=[64,64] --set exploration_fraction=0.3
     --set exploration_final_eps=0.05 --set eval_freq=0 --set eval_episodes=10)
ZOOM=(--set action_zooming=true --set zoom_init_depth=1 --set split_check_freq=1000 --set checkpoint_freq=1000)
PG=(--set n_steps=1000 --set eval_freq=0 --set eval_episodes=10)

run() { # env steps name args...
  local env="$1" steps="$2" name="$3"; shift 3
  for seed in $SEEDS; do
    local dir="$out/$env/$name-s$seed"; mkdir -p "$out/$env"
    [ -f "$dir/experiment.json" ] && continue
    rm -rf "$dir"
    "$root/policylab" train --env "$env" --seed "$seed" --steps "$steps" --out "$dir" --set tensorboard=false --json "$@" \
      > "$dir.json" 2> "$dir.log" || { echo "FAILED: $env $name seed $seed (see $dir.log)"; continue; }
    echo "$env $name seed $seed: $(python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(j['mean_return'])" "$dir.json")"
  done
}

for env in Pendulum-v1 MountainCarContinuous-v0; do
  steps=$PENDULUM_STEPS; [ "$env" = MountainCarContinuous-v0 ] && steps=$MCC_STEPS
  gamma=0.98; [ "$env" = MountainCarContinuous-v0 ] && gamma=0.99
  run "$env" "$steps" dqn-uniform-4  --algo dqn "${DQN[@]}" --set gamma=$gamma --set action_bins=4
  run "$env" "$steps" dqn-uniform-16 --algo dqn "${DQN[@]}" --set gamma=$gamma --set action_bins=16
  run "$env" "$steps" dqn-uniform-64 --algo dqn "${DQN[@]}" --set gamma=$gamma --set action_bins=64
  run "$env" "$steps" dqn-zooming-16 --algo dqn "${DQN[@]}" "${ZOOM[@]}" --set gamma=$gamma --set zoom_budget=16
  run "$env" "$steps" dqn-zooming-64 --algo dqn "${DQN[@]}" "${ZOOM[@]}" --set gamma=$gamma --set zoom_budget=64
  run "$env" "$steps" cube-pg        --algo cube_pg "${PG[@]}" --set gamma=$gamma
  run "$env" "$steps" cube-pg-action --algo cube_pg "${PG[@]}" --set gamma=$gamma --set split_state=false
  [ "$env" = Pendulum-v1 ] && run "$env" "$steps" sac --algo sac --set eval_freq=0 --set eval_episodes=10
  # configs/ppo.yaml's MountainCarContinuous section has batch_size 256 > the 8-step rollout; SB3 then uses one 8-sample minibatch.
  ppo_batch=(); [ "$env" = MountainCarContinuous-v0 ] && ppo_batch=(--set batch_size=8)
  run "$env" "$steps" ppo --algo ppo --set eval_freq=0 --set eval_episodes=10 "${ppo_batch[@]}"
  "$root/policylab" plot "$out/$env"/*/ -o "$out/$env.svg" > /dev/null 2>&1 || echo "plot of $env failed"
  short="$(tr 'A-Z' 'a-z' <<<"${env%-v*}")"
  [ -f "$out/$env.svg" ] && cp "$out/$env.svg" "$root/docs/adaptive-discretization-curves-$short.svg"
done
python3 "$root/scripts/discretization-partition.py" "$out/Pendulum-v1/dqn-zooming-16-s$(echo $SEEDS | awk '{print $NF}')" "$root/docs/adaptive-discretization-partition-pendulum.svg" || true
python3 "$root/scripts/discretization-table.py" "$out" "$root/docs/adaptive-discretization-results.md" "SEEDS=\"$SEEDS\" PENDULUM_STEPS=$PENDULUM_STEPS MCC_STEPS=$MCC_STEPS"
