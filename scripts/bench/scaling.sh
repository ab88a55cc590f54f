#!/usr/bin/env bash
# Scaling benchmark (issue 16): for N = 1000, 2000, 4000, 8000, one process
# each under /usr/bin/time -v runs ops/gnn's BenchmarkScaling: a Fig 2-type
# network (four types, Cauchy W, noise 1) simulated for FRAMES frames in
# memory, STEPS training steps of the default alternating recipe (batch 16)
# in the warm-up (Ŵ by Adam) and as many in the alternating phase (Ŵ frozen),
# and one exact solve of Ŵ with its Gram matrix over GRAM frames. It writes
# the raw numbers (results.tsv), a Markdown table with the growth exponent
# of every cost and an estimate of a full Supp 11 run, and a log-log plot
# (scaling.png), into OUT (default docs/scaling).
#
#   scripts/bench/scaling.sh [N ...]       (default 1000 2000 4000 8000)
#   FRAMES=300 STEPS=20 GRAM=1024 OUT=docs/scaling PROFILE=8000 scripts/bench/scaling.sh
#   FRAMES8000=200 STEPS8000=10 SOLVE8000=0: fewer frames and steps at N ≥ 8000,
#   and no regularised solve there (its N³ cost then extrapolated from the
#   smaller sizes, and marked so in the table)
#
# PROFILE="N ..." also writes a CPU profile of those sizes' runs (OUT/cpu-N.txt
# and cpu-N-cum.txt: the top functions by own and by cumulative time). On the shared development machine run it under
#   flock /tmp/ngs-heavy.lock scripts/bench/scaling.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=${*:-1000 2000 4000 8000}
out=${OUT:-docs/scaling}
frames=${FRAMES:-300}
steps=${STEPS:-20}
gram=${GRAM:-1024}
profile=${PROFILE:-}
mkdir -p "$out"
dir=$(mktemp -d /tmp/ngs-bench-scaling.XXXXXX)
trap 'rm -rf "$dir"' EXIT
go test -c -o "$dir/gnn.test" ./ops/gnn
go build -o "$dir/scaling" ./scripts/bench/scaling
printf 'N\tsim_ms_frame\twarmup_ms_step\talt_ms_step\tgram_ms_frame\tgram_frames\tsolve_s\twall_s\tpeak_rss_kb\tframes\tsteps\tcpu_s\n' > "$dir/results.tsv"
for n in $sizes; do
  f=$frames s=$steps
  # fewer frames and steps at N = 8000 keep the whole run near 10 minutes
  solve=1
  if [ "$n" -ge 8000 ]; then f=${FRAMES8000:-200}; s=${STEPS8000:-10}; solve=${SOLVE8000:-1}; fi
  prof=()
  case " $profile " in *" $n "*) prof=(-test.cpuprofile "$dir/cpu-$n.prof") ;; esac
  echo "N = $n: $f frames, $s + $s steps, $gram Gram frames" >&2
  NGS_SCALING_N=$n NGS_SCALING_SOLVE=$solve NGS_SCALING_FRAMES=$f NGS_SCALING_STEPS=$s NGS_SCALING_GRAM=$gram \
    /usr/bin/time -v -o "$dir/time-$n.txt" "$dir/gnn.test" -test.run '^$' -test.bench '^BenchmarkScaling$' \
    -test.benchtime 1x "${prof[@]}" > "$dir/out-$n.txt"
  line=$(grep -P '^scaling\t' "$dir/out-$n.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$dir/time-$n.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$dir/time-$n.txt")
  cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$dir/time-$n.txt")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(echo "$line" | cut -f2-)" "$wall" "$rss" "$f" "$s" "$cpu" >> "$dir/results.tsv"
  tail -1 "$dir/results.tsv" >&2
  grep '^# ' "$dir/out-$n.txt" >&2 || true
  grep '^# ' "$dir/out-$n.txt" >> "$dir/notes.txt" || true
  if [ ${#prof[@]} -gt 0 ]; then
    go tool pprof -top -nodecount=25 "$dir/gnn.test" "$dir/cpu-$n.prof" > "$out/cpu-$n.txt" 2>/dev/null || true
    go tool pprof -top -cum -nodecount=40 "$dir/gnn.test" "$dir/cpu-$n.prof" > "$out/cpu-$n-cum.txt" 2>/dev/null || true
  fi
done
cp "$dir/results.tsv" "$out/results.tsv"
cp "$dir/notes.txt" "$out/solves.txt" 2>/dev/null || true
"$dir/scaling" -in "$out/results.tsv" -png "$out/scaling.png" > "$out/table.md"
cat "$out/table.md"
