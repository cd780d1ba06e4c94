#!/usr/bin/env bash
# Documented run of the MuJoCo results table (issue 16): PPO on HalfCheetah-v4, Hopper-v4, Walker2d-v4 and Ant-v4 with
# 3 seeds, SAC and TD3 on HalfCheetah-v4 and Hopper-v4 with 1 seed, SAC on Humanoid-v4 with 1 seed — each with the tuned
# defaults of configs/<algo>.yaml (RL Zoo's v4 settings) and the final deterministic evaluation of the training loop —
# then writes docs/mujoco-results.md (mean ± std over seeds beside CleanRL's, RL Zoo's and Tianshou's published
# figures, steps, wall time, machine) and one learning-curve plot per task (docs/mujoco-results/<env>.svg).
# Needs libmujoco 2.2.2 (apt-get install libmujoco-dev). Runs that already have a result.json are not repeated.
# The table is merged with the page already in docs/: rows of algorithm/task pairs that have no run in RUNS are kept as
# they are, and so are the notes under the header (NOTE adds one), so the PPO table and the off-policy runs can be made
# in separate sessions. One learning-curve plot per algorithm and task: docs/mujoco-results/<algo>-<env>.svg.
# Usage: scripts/mujoco-results.sh
#   Env: STEPS (default 1000000), PPO_SEEDS (default "0 1 2"), PPO_ENVS, OFF_ENVS ("HalfCheetah-v4 Hopper-v4"),
#        HUMANOID (1 to include SAC Humanoid-v4, default 1), NICE (default 10), RUNS (default runs/mujoco),
#        OUT (default docs/mujoco-results), NOTE (a line added under the header) — e.g. STEPS=100000 PPO_SEEDS=0 PPO_ENVS=HalfCheetah-v4 OFF_ENVS= HUMANOID=0
#        for a short check; an empty PPO_ENVS or OFF_ENVS runs none of that family (e.g. PPO_ENVS= OFF_ENVS=Hopper-v4 HUMANOID=0
#        for the off-policy Hopper pair alone).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
steps=${STEPS:-1000000}
ppo_seeds=(${PPO_SEEDS-0 1 2})
ppo_envs=(${PPO_ENVS-HalfCheetah-v4 Hopper-v4 Walker2d-v4 Ant-v4})
off_envs=(${OFF_ENVS-HalfCheetah-v4 Hopper-v4})
humanoid=${HUMANOID:-1}
runs=${RUNS:-runs/mujoco}
out=${OUT:-docs/mujoco-results}
nice_level=${NICE:-10}
mkdir -p "$runs" "$out"

train() { # algo env seed
  local dir="$runs/$1-$2-s$3"
  if [ -f "$dir/result.json" ]; then return; fi
  rm -rf "$dir"
  echo "== $1 $2 seed $3 ($steps steps)"
  nice -n "$nice_level" ./policylab train --algo "$1" --env "$2" --seed "$3" --steps "$steps" --out "$dir" --json \
    | tail -1 > "$dir.result.tmp"
  mv "$dir.result.tmp" "$dir/result.json"
}

for env in "${ppo_envs[@]}"; do for seed in "${ppo_seeds[@]}"; do train ppo "$env" "$seed"; done; done
for env in "${off_envs[@]}"; do train sac "$env" 0; train td3 "$env" 0; done
[ "$humanoid" = 1 ] && train sac Humanoid-v4 0

for group in $(ls "$runs" | grep -E -- '-s[0-9]+$' | sed -E 's/-s[0-9]+$//' | sort -u); do
  algo=${group%%-*}; env=${group#*-}
  ./policylab plot "$runs"/"$group"-s* -o "$out/$group.svg" --title "${algo^^} on $env ($steps steps)" > /dev/null || true
done

NOTE="${NOTE:-}" python3 - "$runs" "$out" "$steps" <<'PY'
import json, os, statistics, sys, platform, subprocess, datetime
runs, out, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
# Published figures at 1M steps (facts: mujoco-and-beyond.md §2 and §A.2): CleanRL (v4, 3 seeds), RL Zoo (tuned, v3),
# Tianshou (max over the training curve, 10 seeds).
published = {
  ("ppo", "HalfCheetah-v4"): ("1442.64 ± 46.03", "5819.1 ± 663.5", "5783.9 ± 1244.0"),
  ("ppo", "Hopper-v4"): ("2382.86 ± 271.74", "2410.4 ± 10.0", "2609.3 ± 700.8"),
  ("ppo", "Walker2d-v4"): ("2287.95 ± 571.78", "3478.8 ± 821.7", "3588.5 ± 756.6"),
  ("ppo", "Ant-v4"): ("—", "1327.2 ± 451.6", "3258.4 ± 1079.3"),
  ("sac", "HalfCheetah-v4"): ("9634.89 ± 1423.73", "9535.5 ± 100.5", "12138.8 ± 1049.3"),
  ("sac", "Hopper-v4"): ("2310.46 ± 342.82", "2325.5 ± 1129.7", "3542.2 ± 51.5"),
  ("td3", "HalfCheetah-v4"): ("9583.22 ± 126.09", "9655.7 ± 969.9", "10201.2 ± 772.8"),
  ("td3", "Hopper-v4"): ("3134.61 ± 360.18", "3606.4 ± 4.0", "3472.2 ± 116.8"),
  ("sac", "Humanoid-v4"): ("4996.29 ± 686.40", "6232.3 ± 279.9 (2M)", "5488.5 ± 81.2"),
}
groups = {}
for name in sorted(os.listdir(runs)):
    path = os.path.join(runs, name, "result.json")
    if not os.path.isfile(path): continue
    r = json.load(open(path))
    groups.setdefault((r["algorithm"], r["environment"]), []).append(r)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
page = os.path.join(os.path.dirname(out.rstrip('/')) or ".", os.path.basename(out.rstrip('/')) + ".md")
# What the page already holds: its notes (paragraphs between the command and the machine line) and its rows.
old_notes, old_rows = [], {}
if os.path.isfile(page):
    text = open(page).read().split("\n")
    body = [l for l in text[3:] if not l.startswith(("Machine:", "|", "Learning curves:"))]
    old_notes = [l for l in body if l.strip()]
    for l in text:
        cells = [c.strip() for c in l.strip().strip("|").split("|")]
        if l.startswith("| ") and len(cells) >= 2 and cells[0] not in ("Algo",) and not cells[0].startswith("---"):
            old_rows[(cells[0].lower(), cells[1])] = l
notes = old_notes + ([os.environ["NOTE"]] if os.environ.get("NOTE") else [])
lines = ["# MuJoCo results (generated by scripts/mujoco-results.sh)", "",
         f"Command: `scripts/mujoco-results.sh` (STEPS={steps}); tuned defaults of `configs/<algo>.yaml` (RL Zoo's v4 settings, except PPO on Hopper-v4: CleanRL's); "
         "the return is the training loop's final deterministic evaluation (10 episodes) per seed, then mean ± std over seeds.", ""]
for n in notes: lines += [n, ""]
lines += [f"Machine: {cpu}, {os.cpu_count()} cores, libmujoco 2.2.2, load average {os.getloadavg()[0]:.0f} when the table was written; generated {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC.", "",
         "| Algo | Env | Seeds | Steps | Return (mean ± std) | Per seed | Wall time per run (s) | CleanRL (1M) | RL Zoo (1M) | Tianshou (1M) |",
         "|---|---|---|---|---|---|---|---|---|---|"]
rows = {key: line for key, line in old_rows.items() if key not in groups}
for (algo, env), rs in sorted(groups.items()):
    returns = [r["mean_return"] for r in rs]
    mean = statistics.mean(returns); std = statistics.pstdev(returns) if len(returns) > 1 else 0.0
    walls = [r["wall_seconds"] for r in rs]
    c, z, t = published.get((algo, env), ("—", "—", "—"))
    rows[(algo, env)] = (f"| {algo.upper()} | {env} | {len(rs)} | {rs[0]['env_steps']:,} | {mean:.1f} ± {std:.1f} | "
                         f"{', '.join(f'{x:.0f}' for x in returns)} | {statistics.mean(walls):.0f} | {c} | {z} | {t} |")
lines += [rows[key] for key in sorted(rows)]
lines += ["", "Learning curves: `" + out + "/<algo>-<env>.svg` (`policylab plot " + runs + "/<algo>-<env>-s*`).", ""]
open(page, "w").write("\n".join(lines))
print("\n".join(lines))
PY
