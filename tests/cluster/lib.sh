# tests/cluster/lib.sh — helpers for the cluster tests (tests/LIBRARY/FILE/CASE.cluster.sh), on top of
# tests/lib.sh.  The test folder is under the build tree ($CLUSTER_TMP), not /tmp: every
# node of the cluster has its own /tmp, as on a real cluster, and the spool, the database's
# folder and IOR's files must be on the shared file system.
export TMPDIR=${CLUSTER_TMP:?CLUSTER_TMP must name a folder every node sees}
. "$TEST_LIB" || exit 1
: "${BENCHAAS_SOURCE:?}"
scripts=$BENCHAAS_SOURCE/scripts
unset BENCHAAS_PLUGIN_PATH   # the built-in plugins: hpl, stream, iperf, ior

# need_cluster: skip (with cluster-up's reason) unless the test cluster is up; then
# SLURM_CONF points at it, and every fault is undone when the test ends.
need_cluster() {
    local msg
    [ "$(id -u)" = 0 ] || skip "the cluster tests need root (faults, namespaces; scripts/cluster-up.sh)"
    msg=$("$scripts/cluster-up.sh" --status 2>&1) || skip "no test cluster: $msg"
    export SLURM_CONF=/var/lib/benchaas-cluster/slurm.conf
    [ -n "${BENCHAAS_CLUSTER_DIR:-}" ] && export SLURM_CONF=$BENCHAAS_CLUSTER_DIR/slurm.conf
    trap '"$scripts/cluster-fault.sh" heal all >/dev/null 2>&1; rm -rf "$TMP"' EXIT
    nodes=$(sinfo -h -N -o %N | sort -u)
    [ "$(echo "$nodes" | wc -l)" -ge 4 ] || skip "the test cluster has fewer than 4 nodes"
    # the test before may have healed a node a moment ago: wait until every node is idle
    # (not down, drained or not responding)
    local _
    for _ in $(seq 120); do
        [ "$(sinfo -h -N -o %T | grep -cvxE 'idle|mixed')" = 0 ] && return 0
        sleep 0.5
    done
    fail "the cluster's nodes are not all idle: $(sinfo -h -N -o '%N=%T' | tr '\n' ' ')"
}

# fault ARGS...: scripts/cluster-fault.sh, failing the test when it fails.
fault() { "$scripts/cluster-fault.sh" "$@" >/dev/null || fail "cluster-fault.sh $* failed"; }

# prov DB RUN KEY: one provenance value of a run.
prov() { sql "$1" "SELECT value FROM provenance WHERE run_id = $2 AND key = '$3'"; }
