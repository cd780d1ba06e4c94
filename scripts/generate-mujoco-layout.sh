#!/usr/bin/env bash
# Regenerates src/PolicyLab.MuJoCo/Native/MjLayout.g.cs (field offsets of mjModel/mjData) from the installed
# MuJoCo headers (apt-get install libmujoco-dev). Usage: scripts/generate-mujoco-layout.sh [output-file]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/src/PolicyLab.MuJoCo/Native/MjLayout.g.cs}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cc -O0 -o "$tmp/layout" "$root/src/PolicyLab.MuJoCo/Native/layout-generator.c"
"$tmp/layout" > "$tmp/MjLayout.g.cs"
mv "$tmp/MjLayout.g.cs" "$out"
