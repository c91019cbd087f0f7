#!/usr/bin/env bash
# From a fresh clone to a table of results, in one command.
#
#   scripts/quickstart.sh
#
#   1. scripts/deps.sh                     install missing Debian packages (sudo if not root)
#   2. build-release/                      Release build (incremental when it already exists)
#   3. cmake --install -> ./_install       a relocatable prefix: bin/, lib/benchaas/plugins/, ...
#   4. ./_install/bin/benchaas run examples/quickstart.cfg --db ./benchaas.db
#                                          every built-in plugin, each for seconds on 2 cores
#   5. ./_install/bin/benchaas query --db ./benchaas.db --since <start> --metric ...
#                                          the headline figures of this run (the runner
#                                          prints every metric at the end of step 4)
#
# Exits with the status of step 4: 0 all ok, 1 a benchmark failed, 2 bad input.
# Environment: BENCHAAS_QUICKSTART_CFG  another configuration file to run.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

case "${1:-}" in
    "") ;;
    -h|--help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "quickstart.sh: unknown argument '$1' (it takes none; see --help)" >&2; exit 2 ;;
esac

cfg=${BENCHAAS_QUICKSTART_CFG:-examples/quickstart.cfg}
prefix=$repo/_install
db=./benchaas.db

step() { echo; echo "==== $*"; }

step "1/5 dependencies"
scripts/deps.sh

step "2/5 build (build-release/)"
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
      -DCMAKE_INSTALL_PREFIX="$prefix" >/dev/null
cmake --build build-release -j"$(nproc 2>/dev/null || echo 2)"

step "3/5 install into ./_install"
cmake --install build-release --prefix "$prefix" >/dev/null
echo "installed: $("$prefix/bin/benchaas" --version | head -n 1)"

if [[ ! -f $cfg ]]; then
    echo "quickstart.sh: $cfg not found; nothing to run." >&2
    exit 2
fi

step "4/5 benchaas run $cfg --db $db"
# The start time (UTC, as stored) selects this run's results in step 5.
since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
rc=0
"$prefix/bin/benchaas" run "$cfg" --db "$db" --progress || rc=$?

# The runner has printed every metric above; end with the headline figures only.
step "5/5 headline results of this run"
"$prefix/bin/benchaas" query --db "$db" --since "$since" --format table \
    --metric gflops --metric passed --metric triad --metric validated \
    --metric throughput --metric write_bw --metric read_bw --metric verified || true
if [[ $rc != 0 ]]; then
    echo
    echo "Runs that did not finish ok:"
    "$prefix/bin/benchaas" query --db "$db" --since "$since" --format table \
        --status failed,crashed,timeout,interrupted || true
fi

echo
case $rc in
    0) echo "quickstart: every benchmark ran and passed its checks. Results are in $db" ;;
    1) echo "quickstart: some runs failed (see the status column above). Results are in $db" ;;
    *) echo "quickstart: benchaas run stopped with exit $rc (see the message above)." ;;
esac
echo "Next: ./_install/bin/benchaas query --db $db --format csv   (or sqlite3 $db, see docs/database.md)"
exit "$rc"
