#!/usr/bin/env bash
# Benchmarks every kernel tier this CPU runs (internal/cpu; NGS_CPU forces
# each): one training step at N = 1000 (Adam, batch 16, the default recipe),
# one simulation step (frame) at N = 1000 and N = 8000, and the 64-column
# GEMM, the sine and the matrix-vector product alone. The tiers are run in
# turn within each of REPS rounds (so that a load change hits them alike),
# and the median of the rounds is printed per tier as a Markdown table, with
# each tier's time as a ratio to the best tier's in the same run.
#
#   scripts/bench/tiers.sh [REPS]     (default 3; CPUS=2 sets GOMAXPROCS, default 1;
#                                      QUICK=1 runs each benchmark once, to check the script)
#
# Run it natively (never under qemu: emulated timings mean nothing), on an
# otherwise idle machine; on the shared development machine under
#   flock /tmp/ngs-heavy.lock scripts/bench/tiers.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
reps=${1:-3}
cpus=${CPUS:-1}
dir=$(mktemp -d /tmp/ngs-bench-tiers.XXXXXX)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/ngs" ./cmd/ngs
for pkg in gnn sim nn vec; do
  go test -c -o "$dir/$pkg.test" "./ops/$pkg"
done
"$dir/ngs" version
case $(go env GOARCH) in
amd64) all="avx512 avx2 generic" ;;
arm64) all="neon generic" ;;
*) all="generic" ;;
esac
tiers=""
for t in $all; do # the tiers this CPU runs: ngs version accepts them silently
  if [ -z "$(NGS_CPU=$t "$dir/ngs" version 2>&1 >/dev/null)" ]; then
    tiers="$tiers $t"
  fi
done
echo "tiers:$tiers; $reps rounds; GOMAXPROCS=$cpus; $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2)"

# bench TIER PKG REGEXP BENCHTIME: appends "tier name ns/op" lines to raw.
bench() {
  if [ -n "${QUICK:-}" ]; then set -- "$1" "$2" "$3" 1x; fi # checks the script only
  (cd "ops/$2" && NGS_CPU=$1 "$dir/$2.test" -test.run '^$' -test.bench "$3" \
    -test.benchtime "$4" -test.cpu "$cpus") |
    awk -v t="$1" '/^Benchmark/ { n = $1; sub(/-[0-9]+$/, "", n); print t, n, $3 }' >>"$dir/raw"
}
for r in $(seq "$reps"); do
  for t in $tiers; do
    bench "$t" gnn 'BenchmarkStep/N1000-B16$' 20x
    bench "$t" sim 'BenchmarkSteps/N=1000$' 2000x
    bench "$t" sim 'BenchmarkSteps/N=8000$' 100x
    bench "$t" nn 'BenchmarkGemm64/kernel$' 100x
    bench "$t" nn 'BenchmarkSineActivate$' 2000x
  done
done
awk -v tiers="$tiers" '
function median(s,   n, a, i, j, x) {
  n = split(s, a, " ")
  for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; j--) a[j + 1] = a[j]; a[j + 1] = x }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{ v[$1 SUBSEP $2] = v[$1 SUBSEP $2] " " $3 }
END {
  nb = split("BenchmarkStep/N1000-B16 BenchmarkSteps/N=1000 BenchmarkSteps/N=8000 BenchmarkGemm64/kernel BenchmarkSineActivate", b, " ")
  split("train step N=1000 (ms)|sim step N=1000 (ms)|sim step N=8000 (ms)|GEMM 8000×64×64 (ms)|sine 65536 values (µs)", h, "|")
  split("1e6 1e6 1e6 1e6 1e3", unit, " ")
  nt = split(tiers, t, " ")
  line = "| tier |"; sep = "|---|"
  for (i = 1; i <= nb; i++) { line = line " " h[i] " | ratio |"; sep = sep "---:|---:|" }
  print line; print sep
  for (k = 1; k <= nt; k++) {
    line = "| " t[k] " |"
    for (i = 1; i <= nb; i++) {
      m = median(v[t[k] SUBSEP b[i]]); m1 = median(v[t[1] SUBSEP b[i]])
      line = line sprintf(" %.4g | %.2f× |", m / unit[i], m / m1)
    }
    print line
  }
}' "$dir/raw"
# The matrix-vector product alone (BenchmarkMatVec runs every tier itself).
(cd ops/vec && "$dir/vec.test" -test.run '^$' -test.bench 'BenchmarkMatVec' -test.cpu "$cpus" \
  -test.benchtime "$([ -n "${QUICK:-}" ] && echo 1x || echo 300ms)") | grep '^Benchmark'
