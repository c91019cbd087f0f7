#!/usr/bin/env bash
# Run a command on a node of the test cluster (scripts/cluster-up.sh): inside the node's
# network, UTS (host name) and mount (its own /tmp) namespaces, as a node health check
# or an admin's shell on that node would, whatever Slurm thinks of the node (a drained
# node takes no jobs, yet is tested again before it returns to service).
#
#   scripts/cluster-exec.sh NODE COMMAND [ARG]...
#
# Exit status: the command's; 2 bad usage or no such node; 3 not root / no cluster.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=cluster-lib.sh
. "$here/cluster-lib.sh"
[[ $# -ge 2 ]] || { sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 2; }
[[ $(id -u) == 0 ]] || { echo "cluster-exec: needs root" >&2; exit 3; }
node=$1; shift
pidfile=$cl_dir/run/slurmd-$node.pid
cl_pid_alive "$pidfile" || { echo "cluster-exec: no running node '$node' (its slurmd is not running)" >&2; exit 2; }
exec nsenter --target "$(cat "$pidfile")" --net --uts --mount --wd="$PWD" -- "$@"
