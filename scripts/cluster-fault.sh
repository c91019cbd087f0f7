#!/usr/bin/env bash
# Faults and imbalance on demand in the test cluster of scripts/cluster-up.sh.
#
#   scripts/cluster-fault.sh cap NODE PCT          cap NODE's CPU at PCT % of one CPU (a cgroup
#                                                  quota on its slurmd and everything it runs)
#   scripts/cluster-fault.sh shape NODE rate RATE  shape NODE's link both ways (tc tbf; RATE as
#                                                  tc writes it: 200mbit, 1gbit)
#   scripts/cluster-fault.sh shape NODE delay D    add D of delay each way (tc netem; 20ms)
#   scripts/cluster-fault.sh kill NODE             kill every process of the node (its slurmd,
#                                                  its jobs) and take its link down
#   scripts/cluster-fault.sh decoy NODE|all        give the node a second interface with the
#                                                  same address on every node (198.19.255.1,
#                                                  as docker0 or virbr0 on real nodes): MPI
#                                                  over TCP then needs slurm.network
#   scripts/cluster-fault.sh heal NODE|all         undo all of it; start slurmd again, resume
#                                                  (and undo drains whose reason begins
#                                                  "benchaas: " or "cluster-test: ")
#   scripts/cluster-fault.sh show                  the caps and shapes in force
#
# Exit status: 0 done; 2 bad usage or no such node; 3 not root / no cluster.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=cluster-lib.sh
. "$here/cluster-lib.sh"
export SLURM_CONF=$cl_conf

die() { echo "cluster-fault: error: $1" >&2; exit "${2:-1}"; }
say() { echo "cluster-fault: $*"; }
usage() { sed -n '2,20s/^# \{0,1\}//p' "$0"; exit "${1:-2}"; }

# The cgroup folder for NODE's cap: cgroup v2 (cpu.max) or v1's cpu controller (cfs quota).
cgroup_dir() {
    if [[ -e /sys/fs/cgroup/cgroup.controllers ]]; then
        echo "/sys/fs/cgroup/$cl_cgroup/$1"
    elif [[ -d /sys/fs/cgroup/cpu ]]; then
        echo "/sys/fs/cgroup/cpu/$cl_cgroup/$1"
    else
        die "no cpu cgroup controller here (neither /sys/fs/cgroup/cgroup.controllers nor /sys/fs/cgroup/cpu)" 3
    fi
}

# The file that takes a pid to move it into the cgroup folder $1.
procs_file() { if [[ -e $1/cgroup.procs ]]; then echo "$1/cgroup.procs"; else echo "$1/tasks"; fi; }

# Move every process of NODE's namespace (slurmd, slurmstepd, the job) into folder $2.
move_node() {
    local pid f
    f=$(procs_file "$2")
    for pid in $(ip netns pids "$1" 2>/dev/null); do echo "$pid" >"$f" 2>/dev/null || true; done
}

cap() {
    local node=$1 pct=$2 dir
    [[ $pct =~ ^[1-9][0-9]*$ && $pct -le 100 ]] || die "PCT must be 1-100, not '$pct'" 2
    dir=$(cgroup_dir "$node")
    # A 20 ms period (100 ms below 5 %: the kernel's smallest quota is 1 ms): a capped job
    # runs in short slices, so a run of half a second gets its share within a few per cent
    # whatever the phase of the period it starts in.
    local period=20000
    (( pct >= 5 )) || period=100000
    if [[ -e /sys/fs/cgroup/cgroup.controllers ]]; then
        mkdir -p "$dir"
        echo +cpu >"/sys/fs/cgroup/cgroup.subtree_control" 2>/dev/null || true
        echo +cpu >"$(dirname "$dir")/cgroup.subtree_control" 2>/dev/null || true
        echo "$(( pct * period / 100 )) $period" >"$dir/cpu.max"
    else
        mkdir -p "$dir"
        echo "$period" >"$dir/cpu.cfs_period_us"
        echo $(( pct * period / 100 )) >"$dir/cpu.cfs_quota_us"
    fi
    move_node "$node" "$dir"
    say "$node capped at $pct % of one CPU ($dir)"
}

uncap() {
    local dir root
    dir=$(cgroup_dir "$1")
    [[ -d $dir ]] || return 0
    root=$(dirname "$(dirname "$dir")")
    move_node "$1" "$root"
    rmdir "$dir" 2>/dev/null || true
}

# The two ends of NODE's link: "bxvI" in the root namespace and bx0 inside the node.
veth_of() { echo "bxv${1#"$cl_prefix"}"; }

shape() {
    local node=$1 kind=$2 value=$3 veth qd
    veth=$(veth_of "$node")
    case $kind in
        rate) qd=(tbf rate "$value" burst 256kb latency 200ms) ;;
        delay) qd=(netem delay "$value") ;;
        *) die "shape takes 'rate RATE' or 'delay D', not '$kind'" 2 ;;
    esac
    tc qdisc replace dev "$veth" root "${qd[@]}"
    ip netns exec "$node" tc qdisc replace dev bx0 root "${qd[@]}"
    say "$node's link: $kind $value each way"
}

unshape() {
    tc qdisc del dev "$(veth_of "$1")" root 2>/dev/null || true
    ip netns exec "$1" tc qdisc del dev bx0 root 2>/dev/null || true
}

kill_node() {
    local pid
    for pid in $(ip netns pids "$1" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    rm -f "$cl_dir/run/slurmd-$1.pid"   # dead: heal starts it again (its pid may be reused)
    ip link set "$(veth_of "$1")" down
    say "$1 killed (its processes and its link)"
}

# A veth pair inside the node (gVisor has no dummy links), its end up with the address
# every node gets: the way no two nodes can talk, though each sees the same subnet.
decoy() {
    ip netns exec "$1" ip link show bxdecoy >/dev/null 2>&1 && return 0
    ip netns exec "$1" ip link add bxdecoy type veth peer name bxdecoyp
    ip netns exec "$1" ip addr add 198.19.255.1/24 dev bxdecoy
    ip netns exec "$1" ip link set bxdecoy up
    ip netns exec "$1" ip link set bxdecoyp up
    say "$1 has a decoy interface bxdecoy 198.19.255.1/24"
}

heal() {
    local node=$1
    ip netns exec "$node" ip link del bxdecoy 2>/dev/null || true
    unshape "$node"
    uncap "$node"
    ip link set "$(veth_of "$node")" up
    if ! cl_pid_alive "$cl_dir/run/slurmd-$node.pid"; then
        cl_start_slurmd "$node"
        # Only a node that is down because it stopped answering: a drain set by someone
        # (or by benchaas check --drain) is theirs to undo.
        # until its slurmd answers ("down*", "idle*": not yet; up to 30 s on a busy machine)
        for _ in $(seq 60); do
            sinfo -h -n "$node" -o %T 2>/dev/null | grep -qE '^(down|idle|mixed)$' && break
            sleep 0.5
        done
        if sinfo -h -n "$node" -o %T 2>/dev/null | grep -q '^down'; then
            scontrol update NodeName="$node" State=RESUME 2>/dev/null || true
        fi
    fi
    # A drain a test set (BenchaaS's own, or the "someone else" a test plays) is undone.
    if sinfo -h -n "$node" -o '%T|%E' 2>/dev/null | grep -qE '^drain[^|]*\|(benchaas|cluster-test): '; then
        scontrol update NodeName="$node" State=RESUME 2>/dev/null || true
    fi
    say "$node healed"
}

show() {
    local node dir
    for node in $(cl_nodes); do
        dir=$(cgroup_dir "$node")
        echo "$node: link $(ip link show "$(veth_of "$node")" 2>/dev/null | grep -o 'state [A-Z]*' || echo missing)," \
             "qdisc $(tc qdisc show dev "$(veth_of "$node")" root 2>/dev/null | awk '{print $2, $5, $6}' | head -1)," \
             "cap $( [[ -d $dir ]] && cat "$dir"/cpu.max "$dir"/cpu.cfs_quota_us 2>/dev/null | head -1 || echo none)"
    done
}

release_cgroups() {
    local node dir
    for node in $(cl_nodes); do uncap "$node"; done
    dir=$(dirname "$(cgroup_dir x)")
    [[ -d $dir ]] && rmdir "$dir"/* "$dir" 2>/dev/null || true
}

[[ $# -ge 1 ]] || usage
[[ $1 == -h || $1 == --help ]] && usage 0
[[ $(id -u) == 0 ]] || die "needs root" 3
[[ -r $cl_conf ]] || die "no cluster ($cl_conf missing; run scripts/cluster-up.sh)" 3
case $1 in
    show) show; exit 0 ;;
    --release-cgroups) release_cgroups; exit 0 ;;
esac
[[ $# -ge 2 ]] || usage
node=$2
if [[ ($1 == heal || $1 == decoy) && $node == all ]]; then
    for n in $(cl_nodes); do "$1" "$n"; done
    exit 0
fi
cl_nodes | grep -qx "$node" || die "no node '$node' in the cluster ($(cl_nodes | tr '\n' ' '))" 2
case $1 in
    cap) [[ $# == 3 ]] || usage; cap "$node" "$3" ;;
    shape) [[ $# == 4 ]] || usage; shape "$node" "$3" "$4" ;;
    kill) kill_node "$node" ;;
    decoy) decoy "$node" ;;
    heal) heal "$node" ;;
    *) usage ;;
esac
