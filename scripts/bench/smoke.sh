#!/usr/bin/env bash
# Runs every script in scripts/ at a tiny size (neurons=64, frames=2000,
# epochs=1, and batch=4, steps=50 where the script has them) and prints one
# line per script: ok or the first error line. Exit status 1 if any failed.
#
#     bash scripts/bench/smoke.sh [OUTDIR]
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:-/tmp/smoke}
mkdir -p "$out"
go build -o "$out/ngs" ./cmd/ngs || exit 1
failed=0
for f in scripts/*.ngs; do
  name=$(basename "$f" .ngs)
  sets=(--set neurons=64 --set frames=2000 --set epochs=1)
  grep -q '^batch = ' "$f" && sets+=(--set batch=4)
  grep -q '^steps = ' "$f" && sets+=(--set steps=50)
  start=$(date +%s.%N)
  if "$out/ngs" run "$f" "${sets[@]}" --out "$out/$name" >"$out/$name.log" 2>&1; then
    printf '%-26s ok    %5.1f s\n' "$name" "$(awk -v a="$start" -v b="$(date +%s.%N)" "BEGIN{print b - a}")"
  else
    failed=1
    printf '%-26s FAIL  %s\n' "$name" "$(grep -m1 -E 'error|\.ngs:[0-9]+' "$out/$name.log" || tail -1 "$out/$name.log")"
  fi
done
exit $failed
