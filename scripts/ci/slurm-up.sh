#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine, for ngs's Slurm sweep tests
# (sweep executor "slurm"). Debian's packages, munge for authentication,
# slurmctld and slurmd on this host, everything else in one folder.
#
#   scripts/ci/slurm-up.sh [--install] [DIR]      (DIR: default /tmp/ngs-slurm)
#   export SLURM_CONF=DIR/slurm.conf               (sbatch, squeue, sinfo use it)
#   scripts/ci/slurm-down.sh [DIR]                 (stops it)
#
# --install first installs slurm-wlm and munge with apt-get when they are
# missing. The script needs root (slurmd runs jobs as their user). It writes
# DIR/slurm.conf (ProctrackType=proctrack/linuxproc, TaskPlugin=task/none,
# SelectType=select/cons_tres, one node named after `hostname -s` with this
# machine's CPU count, state, spool, logs and pid files under DIR, ports
# above 10000 that are free), starts munged when no munge daemon answers,
# then slurmctld and slurmd, and waits until sinfo shows the node idle.
# Running it again on a running DIR does nothing. .ci/run calls it before the
# tests; `go test ./cmd/ngs` calls it itself when Slurm is installed but not
# running (see TestSweepSlurm).
set -euo pipefail

install=0
if [ "${1:-}" = "--install" ]; then install=1; shift; fi
dir=${1:-${NGS_SLURM_DIR:-/tmp/ngs-slurm}}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
conf="$dir/slurm.conf"

say() { echo "slurm-up: $*" >&2; }
die() { say "$*"; exit 1; }

if [ "$(id -u)" != 0 ]; then
  die "needs root: slurmd must run as root to start jobs (run it with sudo, or in a container as root)"
fi

PATH="$PATH:/usr/sbin:/sbin"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
  if [ "$install" = 1 ]; then
    say "installing slurm-wlm and munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq slurm-wlm munge >&2
  else
    die "Slurm is not installed: run '$0 --install' (Debian: apt-get install -y slurm-wlm munge)"
  fi
fi

export SLURM_CONF="$conf"

# One start at a time on this machine (ports are picked while holding it).
exec 9>/tmp/ngs-slurm-up.lock
flock 9

if [ -f "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null &&
   [ -f "$dir/slurmd.pid" ] && kill -0 "$(cat "$dir/slurmd.pid")" 2>/dev/null &&
   sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
  say "already running in $dir"
  echo "export SLURM_CONF=$conf"
  exit 0
fi

# munge: the cluster authenticates with the machine's munged.
if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  if [ ! -s /etc/munge/munge.key ]; then
    if command -v mungekey >/dev/null; then mungekey --create >&2; else create-munge-key -f >&2; fi
    chown munge:munge /etc/munge/munge.key 2>/dev/null || true
  fi
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
  if id munge >/dev/null 2>&1; then
    runuser -u munge -- munged 9>&-
  else
    munged --force 9>&-
  fi
  touch "$dir/munged.started"
  for _ in $(seq 50); do
    munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break
    sleep 0.1
  done
  munge -n </dev/null | unmunge >/dev/null || die "munged does not answer"
fi

# Ports above 10000 that nothing listens on.
listening() { # port → 0 when something listens on it
  local hex
  hex=$(printf '%04X' "$1")
  awk -v p=":$hex" 'NR > 1 && $4 == "0A" && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}
port=${NGS_SLURM_PORT:-16817}
while listening "$port" || listening "$((port + 1))"; do port=$((port + 2)); done

host=$(hostname -s)
cpus=$(nproc)
mkdir -p "$dir/state" "$dir/spool" "$dir/log"
cat >"$conf" <<CONF
# One-node Slurm cluster for ngs's tests, written by scripts/ci/slurm-up.sh.
ClusterName=ngs$(echo "$dir" | cksum | cut -c1-6)
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

# (9>&-: the daemons must not inherit the start lock.)
slurmctld -c -f "$conf" 9>&- || die "slurmctld did not start: $(tail -5 "$dir/log/slurmctld.log" 2>/dev/null)"
slurmd -f "$conf" 9>&- || die "slurmd did not start: $(tail -5 "$dir/log/slurmd.log" 2>/dev/null)"

for _ in $(seq 300); do
  state=$(sinfo -h -o %T 2>/dev/null | head -1 || true)
  case "$state" in idle|mixed|allocated) break ;; esac
  sleep 0.1
done
case "$state" in
  idle|mixed|allocated) ;;
  *) die "the node is not idle after 30 s (sinfo: '${state:-no answer}'); logs in $dir/log: $(tail -3 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" 2>/dev/null)" ;;
esac
say "node $host ($cpus CPUs) $state; controller port $port; logs in $dir/log"
echo "export SLURM_CONF=$conf"
