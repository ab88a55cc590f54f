#!/usr/bin/env bash
# Runs the held-out suite (scripts/bench/heldout.ngs, cases 0-5) at full
# length with the default recipe and prints a markdown table: W R² and slope
# (corrected Ŵ), clusters and type accuracy, the oracle least-squares R²,
# training warnings, wall time and peak memory. Needs jq and GNU time.
#
#     bash scripts/bench/heldout.sh [OUTDIR] [--set NAME=VALUE ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-/tmp/heldout}
shift || true
go build -o "$out/ngs" ./cmd/ngs
names=(gauss3 lowrank5 sigmoid4 softplus3 constant4 softsign5)
echo "| case | network | W R² | slope | clusters | accuracy | oracle R² | warnings | wall | peak RSS |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for c in 0 1 2 3 4 5; do
  dir="$out/case$c"
  if ! /usr/bin/time -v "$out/ngs" run scripts/bench/heldout.ngs --set case=$c "$@" --out "$dir" >"$out/case$c.log" 2>&1; then
    echo "| $c | ${names[$c]} | failed: $(grep -v '^\s' "$out/case$c.log" | grep -m1 -i error || tail -1 "$out/case$c.log") | | | | | | | |"
    continue
  fi
  m="$dir/report/metrics.json"
  wall=$(grep 'Elapsed (wall clock)' "$out/case$c.log" | awk '{print $NF}')
  rss=$(grep 'Maximum resident' "$out/case$c.log" | awk '{printf "%.2f GB", $NF/1e6}')
  warns=$(grep -c '^warning: train' "$out/case$c.log" || true)
  jq -r --arg c "$c" --arg n "${names[$c]}" --arg w "$wall" --arg r "$rss" --arg k "$warns" \
    '"| \($c) | \($n) | \(.connectivity.r2*10000|round/10000) | \(.connectivity.slope*1000|round/1000) | \(.types.clusters) | \(.types.accuracy*1000|round/1000) | \(.connectivity.ls_baseline_r2 // "n/a" | if type == "number" then (.*10000|round/10000) else . end) | \($k) | \($w) | \($r) |"' "$m"
done
