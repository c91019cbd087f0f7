#!/usr/bin/env bash
# bench/db.sh — how fast are queries over a large result database?
#
# Goals: a filtered, aggregated query over 100 000 runs in under 200 ms
# (issues 2 and 8), `check` under 1 s, `report` under 5 s (issue 8).
# This script
#   1. compiles bench/dbgen.c with the store and the result commands of
#      core/ (-O2),
#   2. ingests RUNS synthetic runs (default 100 000: 1 000 000 metric rows,
#      300 000 samples) through store_ingest(), one transaction per run,
#   3. times, REPEAT times each (default 7), as separate processes:
#        Q1  median HPL GFLOP/s per NB, ok runs of the last year (sqlite3 CLI
#            on the `results` view, a window function as in docs/database.md)
#        Q2  mean STREAM triad per host and kernel since a date (sqlite3,
#            results view joined with provenance)
#        Q3  `benchaas query --plugin hpl --param NB=192 --status ok --since
#            2026-01-01 --metric gflops --format csv` (cmd_query; the
#            installed benchaas when BENCHAAS=path is given)
#        Q4  `benchaas query --tag acceptance --limit 50 --format json`
#        Q5  `benchaas query --plugin hpl --status ok --since 2026-01-01
#            --metric gflops --group-by NB --stat count,median,p5,p95`
#            (issue 8 target: a filtered, grouped query under 200 ms)
#        Q6  `benchaas query --plugin stream --status ok --metric triad
#            --group-by host,array_size --stat median,p95 --over samples`
#        C1  `benchaas check` (the newest run of every configuration and
#            host against its history; target under 1 s)
#        C2  `benchaas check --tag acceptance --since 30d`
#        R1  `benchaas report --html FILE` over every run (target under 5 s)
#        R2  `benchaas report --html FILE --plugin hpl --since 90d`
#   and prints the median, min and max wall time of each in ms (process
#   start included), and the median CPU time (user + system).
#
# Usage: bench/db.sh                      (RUNS=100000 REPEAT=7 WORKDIR=tmpdir)
#        RUNS=20000 bench/db.sh
#        BENCHAAS=build/bin/benchaas bench/db.sh
#        WORKDIR=/tmp/dbb REUSE=1 bench/db.sh   (keep the database, time again)
# hyperfine is not needed: timing is `date +%s%N` around each process.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-100000}
REPEAT=${REPEAT:-7}
work=${WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/benchaas-dbbench.XXXXXX")}
mkdir -p "$work"
db="$work/bench.db"

command -v sqlite3 >/dev/null || { echo "db.sh: needs the sqlite3 command (apt-get install sqlite3)" >&2; exit 2; }
CC=${CC:-cc}

echo "== building the generator"
# the generator, with the result commands compiled in (no build of benchaas needed)
$CC -std=c17 -O2 -Wall -Wextra -Wno-unused-parameter -DDBGEN_ALL_COMMANDS \
    -I"$root/core" -I"$root/sdk/include" -I"$root/sdk/src" \
    "$root/bench/dbgen.c" "$root/core/store.c" "$root/core/query.c" "$root/core/aggregate.c" \
    "$root/core/sqlcmd.c" "$root/core/stats.c" "$root/core/analyze.c" "$root/core/compare.c" \
    "$root/core/check.c" "$root/core/report.c" "$root/core/svg.c" "$root/core/table.c" \
    "$root/sdk/src/sdk.c" "$root/sdk/src/paramval.c" \
    -o "$work/store_dbgen" -lsqlite3 -lcjson -lm

if [[ -n "${REUSE:-}" && -f "$db" ]]; then
    echo "== reusing $db (REUSE is set)"
else
    echo "== ingesting $RUNS runs into $db"
    "$work/store_dbgen" --runs "$RUNS" --check "$db"
fi
ls -l "$db" | awk '{printf "   database file: %.1f MB\n", $5 / 1e6}'

if [[ -n "${BENCHAAS:-}" ]]; then
    query=("$BENCHAAS" query)
    check=("$BENCHAAS" check)
    report=("$BENCHAAS" report)
else
    query=("$work/store_dbgen" query)
    check=("$work/store_dbgen" check)
    report=("$work/store_dbgen" report)
fi

q1="WITH g AS (
  SELECT json_extract(params, '\$.NB') AS nb, value,
         row_number() OVER (PARTITION BY json_extract(params, '\$.NB') ORDER BY value) AS rn,
         count(*)     OVER (PARTITION BY json_extract(params, '\$.NB')) AS n
  FROM results
  WHERE plugin = 'hpl' AND metric = 'gflops' AND status = 'ok'
    AND started_at >= '2025-11-21')
SELECT nb, avg(value) AS median_gflops, max(n) AS runs
FROM g WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY nb ORDER BY nb;"

q2="SELECT r.host, p.value AS kernel, count(*) AS runs, round(avg(r.value), 1) AS mean_triad
FROM results r JOIN provenance p ON p.run_id = r.run_id AND p.key = 'kernel'
WHERE r.plugin = 'stream' AND r.metric = 'triad' AND r.status = 'ok'
  AND r.started_at >= '2025-06-01'
GROUP BY r.host, kernel ORDER BY r.host, kernel;"

now_ns() { date +%s%N; }

# time NAME CMD...: REPEAT runs, output to /dev/null; prints the median,
# min and max wall time in ms and, when /usr/bin/time exists, the median CPU
# time (user + system): on a shared machine the wall time also measures the
# neighbours, the CPU time does not.
time_it() {
    local name=$1; shift
    local wall=() cpu=() i s e
    "$@" >/dev/null   # warm the page cache once
    for ((i = 0; i < REPEAT; i++)); do
        s=$(now_ns)
        if [[ -x /usr/bin/time ]]; then
            /usr/bin/time -f "%U %S" -o "$work/cpu" "$@" >/dev/null
        else
            "$@" >/dev/null
        fi
        e=$(now_ns)
        wall+=($(( (e - s) / 1000 )))
        [[ -x /usr/bin/time ]] && cpu+=($(awk '{ printf "%d", ($1 + $2) * 1000000 }' "$work/cpu"))
    done
    local cpu_med=""
    if ((${#cpu[@]})); then
        cpu_med=$(printf '%s\n' "${cpu[@]}" | sort -n | awk -v n="$REPEAT" '
            { v[NR] = $1 } END { printf "   cpu %6.1f ms", v[int((n + 1) / 2)] / 1000 }')
    fi
    printf '%s\n' "${wall[@]}" | sort -n | awk -v name="$name" -v n="$REPEAT" -v cpu="$cpu_med" '
        { v[NR] = $1 }
        END { printf "   %-4s wall median %7.1f ms (min %.1f, max %.1f, %d runs)%s\n",
                     name, v[int((n + 1) / 2)] / 1000, v[1] / 1000, v[n] / 1000, n, cpu }'
}

echo "== results of the queries (once)"
sqlite3 -header -column "$db" "$q1"
sqlite3 -header -column "$db" "$q2" | head -6
"${query[@]}" --db "$db" --plugin hpl --param NB=192 --status ok --since 2026-01-01 \
    --metric gflops --format csv | awk 'END { print "   Q3 printed " NR - 1 " rows" }'

echo "== timings (each a separate process, page cache warm)"
time_it Q1 sqlite3 "$db" "$q1"
time_it Q2 sqlite3 "$db" "$q2"
time_it Q3 "${query[@]}" --db "$db" --plugin hpl --param NB=192 --status ok --since 2026-01-01 \
    --metric gflops --format csv
time_it Q4 "${query[@]}" --db "$db" --tag acceptance --limit 50 --format json
time_it Q5 "${query[@]}" --db "$db" --plugin hpl --status ok --since 2026-01-01 \
    --metric gflops --group-by NB --stat count,median,p5,p95
time_it Q6 "${query[@]}" --db "$db" --plugin stream --status ok --metric triad \
    --group-by host,array_size --stat median,p95 --over samples
# check exits 1 when it finds a regression (the synthetic history has some)
time_it C1 bash -c '"$@" || [ $? -eq 1 ]' _ "${check[@]}" --db "$db"
time_it C2 bash -c '"$@" || [ $? -eq 1 ]' _ "${check[@]}" --db "$db" --tag acceptance --since 30d
time_it R1 bash -c '"$@" 2>/dev/null' _ "${report[@]}" --db "$db" --html "$work/report.html"
ls -l "$work/report.html" | awk '{printf "   R1 wrote a report of %.1f MB\n", $5 / 1e6}'
time_it R2 bash -c '"$@" 2>/dev/null' _ "${report[@]}" --db "$db" --html "$work/report-hpl.html" \
    --plugin hpl --since 90d
time_it nop sqlite3 "$db" "SELECT 1;"

if [[ -z "${WORKDIR:-}" ]]; then
    rm -rf "$work"
fi
