#!/usr/bin/env bash
# bench/regress.sh — false alarms and detection delays of `benchaas check`:
# today's rule (the median of the last 20 runs, 3 scaled MADs, at least 1 %)
# and the change points (core/results/changepoint.c), side by side on the
# same synthetic nightly series.
#
#   bench/regress.sh [REPS]      (REPS copies of the suite, default 10)
#
# 1. bench/regress_gen.py writes the series: per copy 62 configurations of
#    45 nights: 40 A/A (no change), 20 steps (5 of -10 %, 10 of -5 %, 5 of
#    -3 %), 2 slow drifts; Gaussian, heavy-tailed (Student t) and bimodal
#    noise in turn.  Nights 21..45 are checked, as a nightly suite would
#    after ingesting each night.
#      tuning:  the series the settings were chosen on (step at night 30);
#      heldout: other seeds and other noise parameters (step at night 27),
#               run only after the settings were fixed.
# 2. bench/regress_drive (C, the results library) judges every night of
#    every configuration with both methods and prints the issue's table.
# 3. One pass through the real CLI: 11 configurations of the tuning set (4
#    A/A, 7 steps and drifts) are written as result documents, collected
#    night by night and checked with `benchaas check tag:nightN --format
#    json`; the nights it flags must be
#    the nights the driver flags for the same series.
#
# BUILD=build (the CMake build folder), BENCHAAS=path (default BUILD/bin/benchaas).
set -euo pipefail
REPS=${1:-10}
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$SRC/build}
BENCHAAS=${BENCHAAS:-$BUILD/bin/benchaas}
cmake --build "$BUILD" --target regress_drive benchaas >/dev/null
DRIVE=$BUILD/bench/regress_drive
WORK=$(mktemp -d "${TMPDIR:-/tmp}/regress.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

for set in tuning heldout; do
    echo "## $set series: $REPS x 62 configurations, nights 21..45 checked"
    echo "(python3 bench/regress_gen.py --set $set --reps $REPS | regress_drive)"
    echo
    python3 "$SRC/bench/regress_gen.py" --set "$set" --reps "$REPS" >"$WORK/$set.txt"
    "$DRIVE" <"$WORK/$set.txt"
    echo
done

echo "## the same verdicts through the CLI (11 configurations of the tuning set)"
awk '(NR <= 40 && NR % 10 == 1) || (NR > 40 && NR <= 62 && NR % 3 == 0)' "$WORK/tuning.txt" >"$WORK/cli.txt"
"$DRIVE" --verbose <"$WORK/cli.txt" | awk '/ new 1$/ { sub(":", "", $5); print $1, $5 }' |
    sort >"$WORK/drive.flags"
python3 - "$WORK/cli.txt" "$WORK/spool" <<'PY'
import json, os, sys, datetime
lines = [l.split() for l in open(sys.argv[1])]
spool = sys.argv[2]
t0 = datetime.datetime(2026, 1, 1, 2, 0, 0)
for night in range(1, 46):
    d = os.path.join(spool, f"n{night:02d}")
    os.makedirs(d, exist_ok=True)
    for idx, l in enumerate(lines):
        t = (t0 + datetime.timedelta(days=night - 1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        doc = {"result_version": 1, "uuid": f"{l[0]}-{night}", "plugin": "hpl",
               "plugin_version": "1.0.0", "status": "ok", "error": None, "started_at": t,
               "host": "node01", "ranks": 1, "threads": 1, "repetitions": 1,
               "tags": [f"night{night}"], "params": {"NB": {"value": str(idx), "type": "int"}},
               "metrics": {"gflops": {"value": float(l[3 + night]), "unit": "GFLOP/s",
                                      "better": "higher"}},
               "samples": {}, "provenance": {"hostname": "node01", "cpu_model": "CPU"}}
        with open(os.path.join(d, f"{l[0]}-{night}.result.json"), "w") as f:
            json.dump(doc, f)
PY
db=$WORK/cli.db
start=$(date +%s)
: >"$WORK/cli.flags"
for night in $(seq 1 45); do
    mkdir -p "$db.spool"
    mv "$WORK/spool/n$(printf %02d "$night")"/*.json "$db.spool/"
    "$BENCHAAS" collect --db "$db" >/dev/null 2>&1
    [ "$night" -ge 21 ] || continue
    rc=0
    "$BENCHAAS" check "tag:night$night" --db "$db" --format json >"$WORK/check.json" || rc=$?
    [ "$rc" -le 1 ] || { echo "check failed with exit $rc on night $night" >&2; exit 1; }
    python3 - "$WORK/check.json" "$WORK/cli.txt" "$night" >>"$WORK/cli.flags" <<'PY'
import json, sys
names = [l.split()[0] for l in open(sys.argv[2])]
for c in json.load(open(sys.argv[1]))["checks"]:
    if c["verdict"] == "REGRESSION":
        print(names[int(c["params"]["NB"])], sys.argv[3])
PY
done
sort -o "$WORK/cli.flags" "$WORK/cli.flags"
echo "$(wc -l <"$WORK/cli.flags") regression verdicts over 25 nights in $(($(date +%s) - start)) s"
if diff "$WORK/drive.flags" "$WORK/cli.flags" >"$WORK/diff"; then
    echo "the CLI flags the same configuration-nights as the driver"
else
    echo "the CLI and the driver differ:"
    cat "$WORK/diff"
    exit 1
fi
