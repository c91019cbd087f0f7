#!/usr/bin/env bash
# bench/isolation.sh — what running a service point apart costs: the same point
# planned and run through the scheduler's code with no site policy ("plain") and
# with the default one ("isolated": the plugin's check in a confined child, the
# worker as the run-as user under Landlock in the job's folder), alternating,
# N rounds, medians per point (bench/isolation.c).
#
# usage: bench/isolation.sh [BUILD_DIR] [N] [PLUGIN [NAME=VALUE...]]
#        default: 41 rounds of the trivial test plugin (the overhead alone), then
#        of a tiny STREAM point (array_size=100000, ntimes=2).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
n=${2:-41}
shift $(( $# > 2 ? 2 : $# ))
bench=$build/bench/isolation_bench
[ -x "$bench" ] || { echo "no $bench; build first" >&2; exit 2; }
export BENCHAAS_WORKER=$build/bin/benchaas-worker BENCHAAS_WORKER_MPI=$build/bin/benchaas-worker-mpi
export BENCHAAS_SELF=$build/bin/benchaas
export BENCHAAS_PLUGIN_PATH=$build/tests/plugins/good
tmp=$(mktemp -d)
chmod 711 "$tmp" # the run-as user (nobody, under root) reaches the jobs' folders
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
if [ $# -gt 0 ]; then
    "$bench" "$n" "$@"
else
    "$bench" "$n" trivial count=10
    "$bench" "$n" stream array_size=100000 ntimes=2
fi
