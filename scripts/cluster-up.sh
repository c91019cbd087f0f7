#!/usr/bin/env bash
# A real multi-node Slurm cluster on this one machine, for the multi-node tests.
#
#   scripts/cluster-up.sh [--nodes N]   bring up (or check) a cluster of N nodes (4)
#   scripts/cluster-up.sh --status      say whether it runs (exit 0) or not (3)
#   scripts/cluster-up.sh --down        stop it and remove what it made (a second --down
#                                       is harmless)
#
# One slurmctld (host name bxctl, 198.18.0.1 on bridge bxbr0) and N compute nodes
# bxnode1..N: each a network namespace and a UTS namespace of its own (its host name), an
# address 198.18.0.1I on the bridge, its own slurmd; the machine's munge; one partition
# "batch".  /etc/hosts gets the names (removed by --down).  The file system is this
# machine's, shared by every node as a cluster's home or Lustre is, except /tmp: each node
# has its own (node-local, as on a real cluster).  Its own slurm.conf,
# ports (6917/6918), state, spool and logs under /var/lib/benchaas-cluster
# (BENCHAAS_CLUSTER_DIR), so scripts/slurm-up.sh's cluster or a real Slurm is untouched.
#
# The last line on success is what a user pastes to use it: export SLURM_CONF=...
# Exit status: 0 up; 3 cannot be made here (not root, no network namespaces, Slurm or munge
# missing): the tests that need it skip with the message; 1 it was tried and failed.
# Environment: BENCHAAS_CLUSTER_TIMEOUT  seconds to wait for the nodes (default 60).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=cluster-lib.sh
. "$here/cluster-lib.sh"

say() { echo "cluster-up: $*"; }
die() { echo "cluster-up: error: $1" >&2; exit "${2:-1}"; }
skip() { echo "cluster-up: $* -- the cluster tests will be skipped." >&2; exit 3; }

nodes=4
mode=up
while [[ $# -gt 0 ]]; do
    case "$1" in
        --nodes) [[ ${2:-} =~ ^[1-9][0-9]?$ && $2 -le 32 ]] || die "--nodes needs a number 1-32" 2
                 nodes=$2; shift ;;
        --down) mode=down ;;
        --status) mode=status ;;
        -h|--help) sed -n '2,22s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) die "unknown argument '$1' (expected --nodes N, --down, --status or --help)" 2 ;;
    esac
    shift
done

export SLURM_CONF=$cl_conf

# The states of the cluster's nodes, "NODE STATE" per line; fails when no controller answers.
node_states() { timeout 10 sinfo --noheader --Node --format='%N %T' 2>/dev/null; }

# can_make: why a cluster cannot be made here (printed; status 3), or nothing (status 0).
can_make() {
    local cmd
    [[ $(id -u) == 0 ]] || { echo "needs root (network namespaces, a bridge, slurmd)"; return 3; }
    for cmd in ip unshare nsenter slurmctld slurmd munge sinfo; do
        command -v "$cmd" >/dev/null 2>&1 ||
            { echo "$cmd not found (scripts/deps.sh --test installs slurm-wlm, munge, iproute2)"; return 3; }
    done
    ip netns add bxprobe 2>/dev/null || { echo "cannot create a network namespace here"; return 3; }
    ip netns del bxprobe
}

status() {
    local st why
    if [[ ! -r $cl_conf ]]; then
        why=$(can_make) || { say "no cluster here: it cannot be made here: $why"; return 3; }
        say "no cluster here ($cl_conf missing; scripts/cluster-up.sh makes one)"
        return 3
    fi
    st=$(node_states) || { say "the cluster's controller does not answer"; return 3; }
    say "$(tr '\n' ' ' <<<"$st")"
    grep -qE ' (idle|mixed|allocated|completing)' <<<"$st" || return 3
}

# ---- down ------------------------------------------------------------------------------
hosts_remove() {
    local tmp
    grep -qF "$cl_hosts_tag" /etc/hosts 2>/dev/null || return 0
    tmp=$(mktemp)
    grep -vF "$cl_hosts_tag" /etc/hosts >"$tmp" || true
    cat "$tmp" >/etc/hosts   # in place: /etc/hosts may be a bind mount that rename cannot replace
    rm -f "$tmp"
}

down() {
    local node pid
    [[ $(id -u) == 0 ]] || die "--down needs root" 3
    for node in $(cl_nodes); do
        cl_stop_pidfile "$cl_dir/run/slurmd-$node.pid"
        if ip netns pids "$node" >/dev/null 2>&1; then
            for pid in $(ip netns pids "$node"); do kill -9 "$pid" 2>/dev/null || true; done
        fi
    done
    cl_stop_pidfile "$cl_dir/run/slurmctld.pid"
    for node in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$cl_prefix[0-9]*$" || true); do
        ip netns del "$node" 2>/dev/null || true
    done
    ip link del "$cl_bridge" 2>/dev/null || true
    for node in $(ip -o link show 2>/dev/null | sed -n 's/^[0-9]*: \(bxv[0-9]*\)@.*/\1/p'); do
        ip link del "$node" 2>/dev/null || true
    done
    "$here/cluster-fault.sh" --release-cgroups 2>/dev/null || true
    hosts_remove
    rm -rf "$cl_dir/run" "$cl_dir/state" "$cl_dir/spool" "$cl_dir/tmp"
    say "down"
}

case $mode in
    status) status; exit $? ;;
    down) down; exit 0 ;;
esac

# ---- up: what must be there --------------------------------------------------------------
why=$(can_make) || skip "$why"

ensure_munge() {
    munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && return 0
    # Not running: scripts/slurm-up.sh knows how to start the machine's munge (key, folders,
    # /dev/null's mode); its --munge-only does just that.
    "$here/slurm-up.sh" --munge-only >/dev/null || die "munge does not work and could not be started"
}

write_conf() {
    local i addr mpi_default=none plugindir
    for plugindir in /usr/lib/x86_64-linux-gnu/slurm-wlm /usr/lib/*/slurm-wlm /usr/lib64/slurm /usr/lib/slurm; do
        if compgen -G "$plugindir/mpi_pmix*.so" >/dev/null; then mpi_default=pmix; break; fi
    done
    install -d -m 0755 "$cl_dir" "$cl_dir/state" "$cl_dir/run" "$cl_dir/log"
    {
        echo "$cl_marker: $nodes nodes on one machine."
        cat <<EOF
ClusterName=benchaas-cluster
SlurmctldHost=$cl_ctl($cl_ctl_addr)
SlurmctldPort=$cl_ctl_port
SlurmdPort=$cl_node_port
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$cl_dir/state
SlurmdSpoolDir=$cl_dir/spool/%n
SlurmctldPidFile=$cl_dir/run/slurmctld.pid
SlurmdPidFile=$cl_dir/run/slurmd-%n.pid
SlurmctldLogFile=$cl_dir/log/slurmctld.log
SlurmdLogFile=$cl_dir/log/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=512
SchedulerType=sched/backfill
MpiDefault=$mpi_default
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=5
JobCompType=jobcomp/none
MailProg=/bin/true
KillWait=5
MinJobAge=300
OverTimeLimit=0
InactiveLimit=0
Waittime=0
# A killed node is noticed in about 10-20 s (the tests kill nodes on purpose).
SlurmdTimeout=10
MessageTimeout=10
ReturnToService=2
EnforcePartLimits=ALL
SlurmdParameters=config_overrides
EOF
        for (( i = 1; i <= nodes; i++ )); do
            addr=$(cl_node_addr "$i")
            echo "NodeName=$cl_prefix$i NodeAddr=$addr NodeHostname=$cl_prefix$i CPUs=2 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=2048 State=UNKNOWN"
        done
        echo "PartitionName=batch Nodes=$cl_prefix[1-$nodes] Default=YES DefaultTime=00:30:00 MaxTime=02:00:00 State=UP"
    } >"$cl_conf.new"
    mv "$cl_conf.new" "$cl_conf"
}

# The bridge in the root namespace carries the controller's address; a veth pair per node.
make_network() {
    local i node addr
    if ! ip link show "$cl_bridge" >/dev/null 2>&1; then
        ip link add "$cl_bridge" type bridge
        ip addr add "$cl_ctl_addr/24" dev "$cl_bridge"
    fi
    ip link set "$cl_bridge" up
    for (( i = 1; i <= nodes; i++ )); do
        node=$cl_prefix$i
        addr=$(cl_node_addr "$i")
        ip netns list | awk '{print $1}' | grep -qx "$node" || ip netns add "$node"
        if ! ip netns exec "$node" ip link show bx0 >/dev/null 2>&1; then
            ip link del "bxv$i" 2>/dev/null || true
            ip link add "bxv$i" type veth peer name bx0 netns "$node"
            ip link set "bxv$i" master "$cl_bridge"
            ip netns exec "$node" ip addr add "$addr/24" dev bx0
        fi
        ip link set "bxv$i" up
        ip netns exec "$node" ip link set lo up
        ip netns exec "$node" ip link set bx0 up
    done
}

hosts_add() {
    local i
    hosts_remove
    {
        echo "$cl_ctl_addr $cl_ctl $cl_hosts_tag"
        for (( i = 1; i <= nodes; i++ )); do echo "$(cl_node_addr "$i") $cl_prefix$i $cl_hosts_tag"; done
    } >>/etc/hosts
}

start_daemons() {
    local node
    if ! cl_pid_alive "$cl_dir/run/slurmctld.pid"; then
        say "starting slurmctld as $cl_ctl ($cl_ctl_addr:$cl_ctl_port; log $cl_dir/log/slurmctld.log)"
        # Its own UTS namespace: slurmctld only runs where the host name is SlurmctldHost.
        cl_spawn unshare --uts -- sh -c 'hostname "$1" && exec slurmctld -f "$2"' sh "$cl_ctl" "$cl_conf" \
            || die "slurmctld did not start; see $cl_dir/log/slurmctld.log"
    fi
    for node in $(cl_nodes); do
        cl_pid_alive "$cl_dir/run/slurmd-$node.pid" && continue
        cl_start_slurmd "$node" || die "slurmd of $node did not start; see $cl_dir/log/slurmd-$node.log"
    done
}

wait_idle() {
    local deadline st resumed=0
    deadline=$(( SECONDS + ${BENCHAAS_CLUSTER_TIMEOUT:-60} ))
    while (( SECONDS < deadline )); do
        if st=$(node_states) && [[ $(grep -cE ' (idle|mixed|allocated|completing)$' <<<"$st") == "$nodes" ]]; then
            return 0
        fi
        if [[ $resumed == 0 && -n ${st:-} ]] && grep -qE ' (down|drain)' <<<"$st"; then
            scontrol update NodeName="$cl_prefix[1-$nodes]" State=RESUME 2>/dev/null || true
            resumed=1
        fi
        sleep 0.5
    done
    echo "cluster-up: error: not every node idle after ${BENCHAAS_CLUSTER_TIMEOUT:-60}s:" >&2
    sinfo --Node --long 2>&1 | sed 's/^/    /' >&2 || true
    tail -n 5 "$cl_dir"/log/*.log 2>/dev/null | sed 's/^/    /' >&2 || true
    exit 1
}

[[ ! -e $cl_conf ]] || grep -qF "$cl_marker" "$cl_conf" || skip "$cl_conf exists and is not ours"
if [[ -e $cl_conf && $(cl_nodes | wc -l) != "$nodes" ]]; then
    say "the cluster has $(cl_nodes | wc -l) nodes, $nodes asked for: starting it again"
    down >/dev/null
fi
ensure_munge
write_conf
make_network
hosts_add
start_daemons
wait_idle
say "up: $nodes nodes ($(cl_nodes | tr '\n' ' ')), partition batch, controller $cl_ctl:$cl_ctl_port"
echo "export SLURM_CONF=$cl_conf"
