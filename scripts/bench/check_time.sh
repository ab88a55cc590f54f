#!/usr/bin/env bash
# Times `ngs check` on a 200-line script, start to exit, and prints the
# median of N runs (default 21) in milliseconds.
#
#   scripts/bench/check_time.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-21}
bin=$(mktemp -d)/ngs
go build -o "$bin" ./cmd/ngs
"$bin" check scripts/bench/check200.ngs
times=()
for ((k = 0; k < runs; k++)); do
	start=$(date +%s%N)
	"$bin" check scripts/bench/check200.ngs
	end=$(date +%s%N)
	times+=($(((end - start) / 1000)))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
median=${sorted[$((runs / 2))]}
printf 'ngs check scripts/bench/check200.ngs: median %d.%03d ms over %d runs (min %d.%03d, max %d.%03d)\n' \
	$((median / 1000)) $((median % 1000)) "$runs" \
	$((sorted[0] / 1000)) $((sorted[0] % 1000)) $((sorted[runs - 1] / 1000)) $((sorted[runs - 1] % 1000))
rm -f "$bin"
