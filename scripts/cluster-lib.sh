# scripts/cluster-lib.sh — what scripts/cluster-up.sh and scripts/cluster-fault.sh share:
# where the test cluster lives, its names and addresses, and small process helpers.
# Sourced, never run.  See docs/cluster-local.md.

# Everything of the cluster sits under one folder (its own slurm.conf, state, spool, logs,
# pid files), so it never touches /etc/slurm or scripts/slurm-up.sh's one-node cluster.
cl_dir=${BENCHAAS_CLUSTER_DIR:-/var/lib/benchaas-cluster}
cl_conf=$cl_dir/slurm.conf
cl_marker="# Written by BenchaaS scripts/cluster-up.sh"
cl_prefix=bxnode             # node host names bxnode1..N; also their network namespaces
cl_ctl=bxctl                 # the controller's host name (198.18.0.1, on the bridge)
cl_bridge=bxbr0
cl_net=198.18.0              # the benchmarking range 198.18.0.0/15 (RFC 2544), a /24 of it
cl_ctl_addr=$cl_net.1
cl_ctl_port=6917             # not Slurm's 6817/6818, so a real Slurm or slurm-up.sh's is untouched
cl_node_port=6918
cl_hosts_tag="# benchaas-cluster"
cl_cgroup=benchaas-cluster   # cgroup folder for cpu caps (v1 cpu controller or v2)

# node_addr I: the address of node I (1-based).
cl_node_addr() { echo "$cl_net.$((10 + $1))"; }

# The nodes of the running cluster (from its slurm.conf), one per line.
cl_nodes() {
    [[ -r $cl_conf ]] || return 0
    sed -n 's/^NodeName=\([^ ]*\) .*/\1/p' "$cl_conf"
}

# 0 when the pid in file $1 is a running (not zombie) process.
cl_pid_alive() {
    local pid state comm
    [[ -s $1 ]] || return 1
    pid=$(cat "$1")
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]] || return 1
    # the pid of a daemon killed with -9 (no clean-up of its pid file) may be another
    # process's by now, on a busy machine: only slurmd or slurmctld counts as alive
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
    [[ $comm == slurmd || $comm == slurmctld ]]
}

# Run a command with only stdin/stdout/stderr open: a daemon keeping another inherited
# descriptor (a CI runner's output pipe) would keep the CI step from seeing end-of-file.
cl_spawn() (
    local f fd
    for f in /proc/"$BASHPID"/fd/*; do
        fd=${f##*/}
        if (( fd > 2 )); then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    exec "$@" </dev/null >/dev/null
)

# Start slurmd of node NODE inside its network namespace, its own UTS namespace (its host
# name is the node's name) and its own mount namespace where /tmp is the node's own folder
# ($cl_dir/tmp/NODE): node-local /tmp as on a real cluster (Slurm's PMIx plugin makes
# /tmp/spmix_appdir_UID_JOB.STEP on every node and fails when two nodes share one /tmp);
# everything else is the machine's file system, shared.  nsenter, not `ip netns exec`: that
# one also mounts a fresh /sys, hiding /sys/fs/cgroup, which slurmd's cgroup plugin needs.
cl_start_slurmd() {
    local node=$1
    install -d -m 0755 "$cl_dir/spool/$node"
    install -d -m 1777 "$cl_dir/tmp/$node"
    cl_spawn nsenter --net="/run/netns/$node" unshare --uts --mount --propagation private -- \
        sh -c 'hostname "$1" && mount --bind "$3" /tmp && exec slurmd -f "$2" -N "$1"' \
        sh "$node" "$cl_conf" "$cl_dir/tmp/$node"
}

# Stop the process whose pid is in file $1 and wait up to 20 s for it (slurmctld saves
# its state first), then SIGKILL it.
cl_stop_pidfile() {
    local pid
    cl_pid_alive "$1" || return 0
    pid=$(cat "$1")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 200); do
        [[ -d /proc/$pid && $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
}
