#!/usr/bin/env bash
# Short fixed-seed runs of every algorithm (and the options most likely to break) with one checkout's CLI, on 1 and
# 2 GEMM threads, for checking that a change keeps results bit-identical.
# Usage: scripts/bit-identity.sh CHECKOUT OUTFILE [KEEP_DIR]
#   writes one line per run: name, then sha256 prefixes of experiment.json, metrics.csv and the final checkpoint's
#   model.safetensors and state.safetensors; with KEEP_DIR the files themselves are kept there for
#   scripts/bit-identity-compare.py, which compares two such folders value by value.
# Run it from a folder outside any git checkout (experiment.json records the current checkout's git state).
set -uo pipefail
repo="$1"; out="$2"; KEEP="${3:-${KEEP:-}}"
tmp="$(mktemp -d)"
: > "$out"
run() { # name threads args...
  local name="$1" threads="$2"; shift 2
  local dir="$tmp/$name-t$threads"
  if ! POLICYLAB_GEMM_THREADS=$threads "$repo/policylab" train --out "$dir" --seed 3 "$@" > "$dir.log" 2>&1; then
    echo "$name-t$threads FAILED $(tail -3 "$dir.log" | tr '\n' ' ')" >> "$out"; return; fi
  local ck; ck="$(ls -d "$dir"/checkpoints/* | sort -t/ -k1 | tail -1)"
  local last; last="$(ls "$dir/checkpoints" | sort -n | tail -1)"
  if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP/$name-t$threads"; cp "$dir/experiment.json" "$dir/metrics.csv" "$KEEP/$name-t$threads/"; cp "$dir/checkpoints/$last/model.safetensors" "$dir/checkpoints/$last/state.safetensors" "$KEEP/$name-t$threads/"; fi
  echo "$name-t$threads $(sha256sum < "$dir/experiment.json" | cut -c1-16) $(sha256sum < "$dir/metrics.csv" | cut -c1-16) $(sha256sum < "$dir/checkpoints/$last/model.safetensors" | cut -c1-16) $(sha256sum < "$dir/checkpoints/$last/state.safetensors" | cut -c1-16)" >> "$out"
}
for t in 1 2; do
  run ppo-cp $t --algo ppo --env CartPole-v1 --steps 3000
  run ppo-kl $t --algo ppo --env CartPole-v1 --steps 3000 --set objective=adaptive_kl --set target_kl=0.02 --set clip_range_vf=0.2
  run ppo-pend $t --algo ppo --env Pendulum-v1 --steps 4096 --set n_steps=256
  run a2c-cp $t --algo a2c --env CartPole-v1 --steps 3000
  run a2c-pend $t --algo a2c --env Pendulum-v1 --steps 3000 --set normalize=true
  run a3c-cp $t --algo a3c --env CartPole-v1 --steps 3000 --set n_workers=1
  run vpg-cp $t --algo vpg --env CartPole-v1 --steps 4000 --set n_steps=500
  run vpg-pend $t --algo vpg --env Pendulum-v1 --steps 4000 --set n_steps=1000
  run npg-cp $t --algo npg --env CartPole-v1 --steps 4096 --set n_steps=512
  run trpo-cp $t --algo trpo --env CartPole-v1 --steps 4096 --set n_steps=512
  run trpo-pend $t --algo trpo --env Pendulum-v1 --steps 4096 --set n_steps=512
  run reinforce-cp $t --algo reinforce --env CartPole-v1 --steps 3000
  run reinforce-mc $t --algo reinforce --env MountainCarContinuous-v0 --steps 3000 --set returns=total --set baseline=mean
  run annealing-cp $t --algo annealing --env CartPole-v1 --steps 3000
  run hill-cp $t --algo hill_climbing --env CartPole-v1 --steps 3000
  run cem-cp $t --algo cem --env CartPole-v1 --steps 5000
  run es-pend $t --algo es --env Pendulum-v1 --steps 5000
  run ddpg-pend $t --algo ddpg --env Pendulum-v1 --steps 1500 --set learning_starts=500
  run td3-pend $t --algo td3 --env Pendulum-v1 --steps 1500 --set learning_starts=500
  run sac-pend $t --algo sac --env Pendulum-v1 --steps 1500 --set learning_starts=500
  run ppo-ann $t --algo ppo --env CartPole-v1 --steps 3000 --set regularization=annealing
done
rm -rf "$tmp"
