#!/usr/bin/env bash
# Packs the library and the `policylab` dotnet tool, installs the tool from the local packages into a temporary tool
# path, and trains with it (the check that the published tool works), then builds and runs the C# quickstart sample.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)"
echo "== dotnet pack (PolicyLab, PolicyLab.Cli $version)"
dotnet pack src/PolicyLab/PolicyLab.csproj -c Release -o "$tmp/packages" -nologo -v quiet
dotnet pack src/PolicyLab.Cli/PolicyLab.Cli.csproj -c Release -o "$tmp/packages" -nologo -v quiet
ls "$tmp/packages"
echo "== dotnet tool install PolicyLab.Cli from the local package"
dotnet tool install PolicyLab.Cli --version "$version" --tool-path "$tmp/tool" --add-source "$tmp/packages"
"$tmp/tool/policylab" train --steps 5000 --out "$tmp/run" --json | tail -n 1
compgen -G "$tmp/run/checkpoints/*/model.safetensors" >/dev/null || { echo "the tool's run left no final checkpoint"; ls -R "$tmp/run"; exit 1; }
echo "== samples/Quickstart (Debug, a consumer's default settings)"
dotnet run --project samples/Quickstart -c Debug -- "$tmp/quickstart" 20000 10000
test -f "$tmp/quickstart/cartpole.policylab" && test -f "$tmp/quickstart/pendulum.policylab"
echo "tool and sample: ok"
