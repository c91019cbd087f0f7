#!/usr/bin/env bash
# Make sure a Slurm cluster answers on this machine, for the submission tests.
#
#   scripts/slurm-up.sh            ensure Slurm is up (starts a one-node test cluster
#                                  on this host when none answers and we are root)
#   scripts/slurm-up.sh --status   only report whether Slurm answers (exit 0 / 3)
#   scripts/slurm-up.sh --stop     stop the daemons this script started (root)
#   scripts/slurm-up.sh --munge-only   only make sure munged runs (scripts/cluster-up.sh)
#
# When `sinfo` already shows a usable node nothing is touched: on a real cluster, or when
# the test cluster is already running, this is a no-op taking a fraction of a second.
# Otherwise, as root: a munge key is created if missing and munged started; a
# /etc/slurm/slurm.conf for a one-node cluster on this host is written (only if no
# slurm.conf exists, or it is one this script wrote); slurmctld and slurmd are started
# and we wait until the node is idle. See docs/slurm-local.md for what was verified.
#
# Exit status: 0 Slurm answers with a usable node; 3 Slurm cannot be started here (not
# root, not installed, a foreign slurm.conf): tests that need it skip; 1 we tried to
# start it and it failed (logs under /var/log/slurm/).
#
# Environment: BENCHAAS_SLURM_TIMEOUT  seconds to wait for the node (default 60).
set -euo pipefail

timeout_s=${BENCHAAS_SLURM_TIMEOUT:-60}
conf=${SLURM_CONF:-/etc/slurm/slurm.conf}
marker="# Written by BenchaaS scripts/slurm-up.sh"
logdir=/var/log/slurm

say() { echo "slurm-up: $*"; }
die() { echo "slurm-up: error: $1" >&2; exit "${2:-1}"; }
skip() { echo "slurm-up: $* -- Slurm tests will be skipped." >&2; exit 3; }

# The states of all nodes, one per line, lower case ("idle", "mixed", "down*", ...);
# empty output and a non-zero status when no controller answers.
node_states() {
    timeout 15 sinfo --noheader --format='%T' 2>/dev/null
}

# 0 when some node can take jobs now or soon (idle/mixed, or busy with other jobs).
slurm_usable() {
    local states
    states=$(node_states) || return 1
    grep -qE '^(idle|mixed|allocated|completing)$' <<<"$states"
}

# 0 when the pid in file $1 is a running (not zombie) process.
pid_alive() {
    local pid state
    [[ -s $1 ]] || return 1
    pid=$(cat "$1")
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]]
}

stop_daemons() {
    local f
    for f in /run/slurmd.pid /run/slurmctld.pid; do
        if pid_alive "$f"; then
            say "stopping $(basename "$f" .pid) (pid $(cat "$f"))"
            kill "$(cat "$f")"
            for _ in $(seq 100); do pid_alive "$f" || break; sleep 0.1; done
        fi
    done
}

# Start a daemon with only stdin/stdout/stderr open. Daemons keep every other inherited
# descriptor, and one holding the write end of a CI runner's output pipe would keep the CI
# step from ever seeing end-of-file.
spawn() (
    local f fd
    for f in /proc/"$BASHPID"/fd/*; do
        fd=${f##*/}
        if (( fd > 2 )); then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec "$@" </dev/null >/dev/null
)

# Our own test cluster (our slurm.conf) whose slurmd died: sinfo still says "idle" until
# SlurmdTimeout, but jobs would never start.
own_slurmd_dead() {
    [[ $(id -u) == 0 && -e $conf ]] && grep -qF "$marker" "$conf" && ! pid_alive /run/slurmd.pid
}

case "${1:-}" in
    "") ;;
    --status)
        if slurm_usable; then say "Slurm answers: $(sinfo --noheader --format='%P %T %D' | tr '\n' ';')"; exit 0; fi
        say "no usable Slurm node answers"; exit 3 ;;
    --stop) stop_daemons; exit 0 ;;
    --munge-only) munge_only=1 ;;
    -h|--help) sed -n '2,21s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (expected --status, --stop or --help)" 2 ;;
esac

if ! command -v sinfo >/dev/null 2>&1; then
    skip "Slurm is not installed (sinfo not found; scripts/deps.sh --test installs slurm-wlm)"
fi

if slurm_usable && ! own_slurmd_dead; then
    say "Slurm already answers: $(sinfo --noheader --format='%P=%T' | tr '\n' ' ')"
    exit 0
fi

if [[ $(id -u) != 0 ]]; then
    if node_states >/dev/null; then
        skip "Slurm answers but no node is idle/mixed ($(node_states | sort -u | tr '\n' ' ')) and only root may resume it"
    fi
    skip "no Slurm controller answers and starting a local one needs root"
fi

for cmd in slurmctld slurmd munged; do
    command -v "$cmd" >/dev/null 2>&1 || skip "$cmd not found (scripts/deps.sh --test installs slurm-wlm and munge)"
done

# munged (running as user munge) opens /dev/null and exits when it cannot. A /dev/null
# whose mode lost its write bits (a program that chmod()s a path given as /dev/stdout
# does that) breaks munged and much else: put the standard mode back, and say so.
check_dev_null() {
    local mode
    [[ -c /dev/null ]] || die "/dev/null is not a character device; this machine needs repair"
    mode=$(stat -c %a /dev/null)
    if [[ $mode != 666 ]]; then
        say "/dev/null has mode $mode, not 666 (munged cannot open it): restoring 0666"
        chmod 0666 /dev/null
    fi
}

# --- munge: the authentication daemon every Slurm message goes through -----------------
start_munge() {
    check_dev_null
    if munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
        return 0
    fi
    install -d -o munge -g munge -m 0700 /etc/munge /var/log/munge
    install -d -o munge -g munge -m 0711 /var/lib/munge
    install -d -o munge -g munge -m 0755 /run/munge
    if [[ ! -s /etc/munge/munge.key ]]; then
        say "creating /etc/munge/munge.key"
        if command -v mungekey >/dev/null 2>&1; then
            mungekey --create --keyfile=/etc/munge/munge.key --force
        else
            dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
        fi
    fi
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
    say "starting munged"
    # munged refuses to run as root; it daemonises itself.
    spawn runuser -u munge -- /usr/sbin/munged \
        || die "munged did not start; see /var/log/munge/munged.log"
    for _ in $(seq 50); do
        munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    die "munged started but munge/unmunge does not work; see /var/log/munge/munged.log"
}

if [[ ${munge_only:-0} == 1 ]]; then start_munge; exit 0; fi

# --- slurm.conf ------------------------------------------------------------------------
write_conf() {
    local host node_line mem cpus mem_per_cpu mpi_default plugindir
    host=$(hostname -s)
    # slurmd -C prints this host's hardware as a NodeName line, e.g.
    # "NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=24105"
    node_line=$(slurmd -C | grep '^NodeName=') || die "slurmd -C printed no NodeName line"
    mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$node_line")
    cpus=$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$node_line")
    [[ -n $mem && -n $cpus ]] || die "cannot read CPUs/RealMemory from: $node_line"
    # A node reporting less memory than configured is drained ("Low RealMemory"):
    # leave 5% for the daemons and for the memory the kernel reports differently later.
    local reported_mem=$mem
    mem=$(( mem * 95 / 100 ))
    # Default memory per CPU: the node's memory shared among its CPUs, so a job that
    # requests no memory does not take the whole node (CR_Core_Memory schedules memory).
    mem_per_cpu=$(( mem / cpus ))
    node_line=${node_line/RealMemory=$reported_mem/RealMemory=$mem}

    # PMIx (srun --mpi=pmix) is the default MPI plugin when Slurm was built with it.
    mpi_default=none
    for plugindir in /usr/lib/x86_64-linux-gnu/slurm-wlm /usr/lib/*/slurm-wlm /usr/lib64/slurm /usr/lib/slurm; do
        if compgen -G "$plugindir/mpi_pmix*.so" >/dev/null; then mpi_default=pmix; break; fi
    done

    install -d -m 0755 "$(dirname "$conf")"
    cat >"$conf" <<EOF
$marker for a one-node test cluster on $host.
# Delete this file (and stop slurmctld/slurmd) to let the script write a fresh one.
ClusterName=benchaas
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge

StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$logdir/slurmctld.log
SlurmdLogFile=$logdir/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info

# A container: no cgroup confinement; processes are tracked through /proc.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
# Cores and memory are consumable, so two 1-CPU jobs share the node and --mem works.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$mem_per_cpu
SchedulerType=sched/backfill
MpiDefault=$mpi_default

# No slurmdbd here: sacct does not work; job states come from squeue/scontrol while
# slurmctld remembers the job (MinJobAge seconds after it ended).
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/linux
JobCompType=jobcomp/none
MailProg=/bin/true

# Short waits so the tests run fast: SIGTERM -> SIGKILL after 5 s at the time limit;
# a finished job stays visible to squeue/scontrol for 5 minutes.
KillWait=5
MinJobAge=300
OverTimeLimit=0
InactiveLimit=0
Waittime=0
# A node that restarts comes back by itself instead of staying DOWN.
ReturnToService=2
# Jobs over a partition's MaxTime/size are rejected by sbatch instead of pending forever.
EnforcePartLimits=ALL

$node_line State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES DefaultTime=00:30:00 MaxTime=02:00:00 State=UP
PartitionName=long Nodes=$host Default=NO DefaultTime=01:00:00 MaxTime=INFINITE State=UP
EOF
    say "wrote $conf ($node_line, MpiDefault=$mpi_default)"
}

# --- start -------------------------------------------------------------------------
if [[ -e $conf ]] && ! grep -qF "$marker" "$conf"; then
    skip "$conf exists and was not written by this script; not touching it (is this a real cluster whose controller is down?)"
fi
start_munge


if ! pid_alive /run/slurmctld.pid; then
    # A slurmd left from before would keep the old configuration: restart it too.
    if pid_alive /run/slurmd.pid; then
        say "stopping the old slurmd (pid $(cat /run/slurmd.pid)) to restart it with the new configuration"
        kill "$(cat /run/slurmd.pid)"
        for _ in $(seq 100); do pid_alive /run/slurmd.pid || break; sleep 0.1; done
    fi
    write_conf
    install -d -m 0755 /var/spool/slurmctld /var/spool/slurmd "$logdir"
    say "starting slurmctld (log $logdir/slurmctld.log)"
    spawn slurmctld || die "slurmctld did not start; see $logdir/slurmctld.log"
fi
if ! pid_alive /run/slurmd.pid; then
    say "starting slurmd (log $logdir/slurmd.log)"
    spawn slurmd || die "slurmd did not start; see $logdir/slurmd.log"
fi

deadline=$(( SECONDS + timeout_s ))
resumed=0
while (( SECONDS < deadline )); do
    if states=$(node_states); then
        if grep -qE '^(idle|mixed|allocated|completing)$' <<<"$states"; then
            say "Slurm is up: $(sinfo --noheader --format='%P=%T' | tr '\n' ' ')"
            exit 0
        fi
        # down / drained (e.g. after an unclean stop, or "Low RealMemory"): resume once.
        if [[ $resumed == 0 ]] && grep -qE '^(down|drain|drained|draining)' <<<"$states"; then
            say "node is $(tr '\n' ' ' <<<"$states")-- resuming it"
            scontrol update NodeName="$(hostname -s)" State=RESUME 2>/dev/null || true
            resumed=1
        fi
    fi
    sleep 0.5
done

echo "slurm-up: error: no idle Slurm node after ${timeout_s}s." >&2
sinfo --long --Node 2>&1 | sed 's/^/    /' >&2 || true
scontrol show node 2>/dev/null | grep -E 'State|Reason' | sed 's/^/    /' >&2 || true
echo "slurm-up: last lines of $logdir/slurmctld.log and slurmd.log:" >&2
tail -n 5 "$logdir/slurmctld.log" "$logdir/slurmd.log" 2>/dev/null | sed 's/^/    /' >&2 || true
exit 1
