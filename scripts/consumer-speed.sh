#!/usr/bin/env bash
# Training time of 50k PPO CartPole steps: the CLI (Release, quick JIT off) against a consumer's own program
# (samples/Quickstart, default JIT settings) built in Debug and in Release. Alternates the three, ROUNDS times each,
# and prints the medians and the ratios to the CLI. Usage: scripts/consumer-speed.sh [ROUNDS=5] [STEPS=50000]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"; steps="${2:-50000}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
dotnet build samples/Quickstart -c Debug -nologo -v quiet >/dev/null
dotnet build samples/Quickstart -c Release -nologo -v quiet >/dev/null
./policylab list algos >/dev/null   # builds the CLI
cli=(); debug=(); release=()
for r in $(seq "$rounds"); do
  cli+=("$(./policylab train --steps "$steps" --out "$tmp/cli$r" --json | tail -n 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["wall_seconds"])')")
  debug+=("$(dotnet samples/Quickstart/bin/Debug/net10.0/Quickstart.dll "$tmp/debug$r" "$steps" 0 | sed -n 's/.* in \([0-9.]*\) s (Learn.*/\1/p')")
  release+=("$(dotnet samples/Quickstart/bin/Release/net10.0/Quickstart.dll "$tmp/release$r" "$steps" 0 | sed -n 's/.* in \([0-9.]*\) s (Learn.*/\1/p')")
done
python3 - "${cli[*]}" "${debug[*]}" "${release[*]}" <<'PY'
import statistics, sys
names = ["CLI (Release, quick JIT off)", "consumer Debug (default JIT)", "consumer Release (default JIT)"]
series = [[float(x) for x in arg.split()] for arg in sys.argv[1:]]
base = statistics.median(series[0])
for name, s in zip(names, series):
    m = statistics.median(s)
    print(f"{name:32s} median {m:6.2f} s  ({', '.join(f'{x:.2f}' for x in s)})  ratio to CLI {m / base:.2f}")
PY
