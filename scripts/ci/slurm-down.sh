#!/usr/bin/env bash
# Stops the Slurm cluster that scripts/ci/slurm-up.sh started in DIR
# (default /tmp/ngs-slurm): cancels its jobs, stops slurmd and slurmctld by
# their pid files, and stops munged when slurm-up.sh started it (unless
# NGS_SLURM_KEEP_MUNGE=1, for clusters sharing the machine's munged).
#
#   scripts/ci/slurm-down.sh [DIR]
set -uo pipefail
dir=${1:-${NGS_SLURM_DIR:-/tmp/ngs-slurm}}
[ -d "$dir" ] || exit 0
export SLURM_CONF="$dir/slurm.conf"
PATH="$PATH:/usr/sbin:/sbin"

stop() { # pidfile
  [ -f "$1" ] || return 0
  local pid
  pid=$(cat "$1")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$1"
}

if [ -f "$SLURM_CONF" ] && [ -f "$dir/slurmctld.pid" ]; then
  timeout 10 scancel --user="$(id -un)" 2>/dev/null
  sleep 1
fi
stop "$dir/slurmd.pid"
stop "$dir/slurmctld.pid"
if [ -f "$dir/munged.started" ] && [ "${NGS_SLURM_KEEP_MUNGE:-0}" != 1 ]; then
  stop /run/munge/munged.pid
  rm -f "$dir/munged.started"
fi
echo "slurm-down: stopped the cluster of $dir" >&2
