#!/usr/bin/env bash
# bench/db.sh — how fast are queries over a large result database?
#
# Goals: a filtered, aggregated query over 100 000 runs in under 200 ms,
# `check` under 1 s, `report` under 5 s.
# This script
#   1. builds bench/dbgen.c with the core's libraries (the `bench` target
#      of CMake, in BUILD=build/ unless given),
#   2. for each size N of RUNS (default "10000 100000 1000000"), ingests N
#      synthetic runs (10 metric rows and 3 samples each) through
#      store_ingest() into WORKDIR/N/bench.db (kept there; REUSE=1 times an
#      existing one again without ingesting): in batches of 256 runs a
#      transaction, as `collect` stores a spool ("ingest", us per run), and
#      the last N/10 (at most 2000) one per transaction, as `run` and the
#      service store a run ("ingest1"),
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
#        Q6  `benchaas query --plugin stream --status ok --metric triad
#            --group-by host,array_size --stat median,p95 --over samples`
#        C1  `benchaas check` (the newest run of every configuration and
#            host against its history)
#        C2  `benchaas check --tag acceptance --since 30d`
#        R1  `benchaas report --html FILE` over every run
#        R2  `benchaas report --html FILE --plugin hpl --since 90d`
#   and prints the median, min and max wall time of each in ms (process
#   start included), and the median CPU time (user + system),
#   4. with more than one size, a table of the medians per size and the
#      growth exponent of each between consecutive sizes: time ~ rows^k,
#      k = log(t2/t1) / log(N2/N1) (1: linear, below 1: sub-linear).
# Goals at 1 000 000 runs (docs/performance.md): ingest <= 250 us/run (batched),
# Q1, Q2 <= 150 ms, Q5 <= 200 ms, Q6 <= 150 ms, C1 <= 400 ms, C2 <= 150 ms, R1 <= 1 s.
# A build of another schema version (REF= cannot open this one's files): give each
# build a WORKDIR of its own holding copies of the same databases, and alternate
# whole runs, e.g. for i in 1 2; do WORKDIR=A DBGEN=OLD bench/db.sh; WORKDIR=B
# DBGEN=NEW bench/db.sh; done (each build migrates its copy the first time).
#
# Usage: bench/db.sh                      (RUNS="10000 100000 1000000" REPEAT=7)
#        RUNS=20000 bench/db.sh
#        BENCHAAS=build/bin/benchaas bench/db.sh
#        BUILD=build-rel bench/db.sh             (the generator of that build folder)
#        DBGEN=/path/to/store_dbgen bench/db.sh  (that generator; nothing is built)
#        WORKDIR=/tmp/dbb REUSE=1 bench/db.sh   (keep the databases, time again)
#        YEARS=2 RUNS=1000000 bench/db.sh        (a denser history, see below)
#        REF=/old/build/bench/store_dbgen WORKDIR=W REUSE=1 bench/db.sh
#                   each command of ours alternated with the same command of the
#                   reference generator (another build of the same schema) on the
#                   same database: both medians, their spread and the ratio, which
#                   a slower or busier machine changes less than the times
# The synthetic history has 50 000 runs a year and ends at a fixed "now"
# (2026-11-21): a larger database holds a longer history (1 000 000 runs: 20
# years), and a filter on the last months matches the same runs at every
# size, as on a cluster whose history grows.  YEARS=2 puts every size into
# the same two years instead (a busier cluster: the filtered queries' matches
# grow with the database; at 1 000 000 runs "since 2025-11-21" is about
# 119 000 ok HPL runs).
# hyperfine is not needed: timing is `date +%s%N` around each process.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-10000 100000 1000000}
REPEAT=${REPEAT:-7}
work=${WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/benchaas-dbbench.XXXXXX")}
mkdir -p "$work"

command -v sqlite3 >/dev/null || { echo "db.sh: needs the sqlite3 command (apt-get install sqlite3)" >&2; exit 2; }

echo "== building the generator"
# the generator, with the result commands linked in (CMake's `bench` target
# in BUILD, default build/, configured here when it is not yet)
# (DBGEN=path: that generator instead, e.g. one of an older build, nothing built)
build=${BUILD:-$root/build}
dbgen=${DBGEN:-$build/bench/store_dbgen}
if [[ -z "${DBGEN:-}" ]]; then
    [[ -f "$build/CMakeCache.txt" ]] || cmake -S "$root" -B "$build" >/dev/null
    cmake --build "$build" --target bench -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
fi

if [[ -n "${BENCHAAS:-}" ]]; then
    query=("$BENCHAAS" query)
    check=("$BENCHAAS" check)
    report=("$BENCHAAS" report)
else
    query=("$dbgen" query)
    check=("$dbgen" check)
    report=("$dbgen" report)
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
    if [[ -n "${REF:-}" ]]; then
        # the same command with the reference generator, alternated with ours
        local refcmd=() a
        for a in "$@"; do refcmd+=("${a//"$dbgen"/$REF}"); done
        if [[ "${refcmd[*]}" != "$*" ]]; then
            compare_it "$name" refcmd "$@"
            return
        fi
    fi
    local wall=() cpu=() i s e
    # (a query that matches nothing exits non-zero: still timed)
    "$@" >/dev/null 2>&1 || true   # warm the page cache once
    for ((i = 0; i < REPEAT; i++)); do
        s=$(now_ns)
        if [[ -x /usr/bin/time ]]; then
            /usr/bin/time -f "%U %S" -o "$work/cpu" "$@" >/dev/null 2>&1 || true
        else
            "$@" >/dev/null 2>&1 || true
        fi
        e=$(now_ns)
        wall+=($(( (e - s) / 1000 )))
        [[ -x /usr/bin/time ]] && cpu+=($(awk 'END { printf "%d", ($1 + $2) * 1000000 }' "$work/cpu"))
    done
    local cpu_med=""
    if ((${#cpu[@]})); then
        cpu_med=$(printf '%s\n' "${cpu[@]}" | sort -n | awk -v n="$REPEAT" '
            { v[NR] = $1 } END { printf "   cpu %6.1f ms", v[int((n + 1) / 2)] / 1000 }')
    fi
    printf '%s\n' "${wall[@]}" | sort -n | awk -v n="$REPEAT" '{ v[NR] = $1 }
        END { printf "%s %.1f\n", name, v[int((n + 1) / 2)] / 1000 }' name="$name" >>"$work/medians.$size"
    printf '%s\n' "${wall[@]}" | sort -n | awk -v name="$name" -v n="$REPEAT" -v cpu="$cpu_med" '
        { v[NR] = $1 }
        END { printf "   %-4s wall median %7.1f ms (min %.1f, max %.1f, %d runs)%s\n",
                     name, v[int((n + 1) / 2)] / 1000, v[1] / 1000, v[n] / 1000, n, cpu }'
}

# compare_it NAME REFARRAY CMD...: CMD and the reference's command (the array named
# REFARRAY) alternated REPEAT times each; prints both medians and their ratio (ours /
# the reference's) with the spread of each, min to max.
compare_it() {
    local name=$1 refname=$2; shift 2
    local -n ref=$refname
    local ours=() theirs=() i s e
    "$@" >/dev/null 2>&1 || true
    "${ref[@]}" >/dev/null 2>&1 || true
    for ((i = 0; i < REPEAT; i++)); do
        s=$(now_ns); "$@" >/dev/null 2>&1 || true; e=$(now_ns)
        ours+=($(( (e - s) / 1000 )))
        s=$(now_ns); "${ref[@]}" >/dev/null 2>&1 || true; e=$(now_ns)
        theirs+=($(( (e - s) / 1000 )))
    done
    local a b
    a=$(printf '%s\n' "${ours[@]}" | sort -n | awk -v n="$REPEAT" '{ v[NR] = $1 }
        END { printf "%.1f %.1f %.1f", v[int((n + 1) / 2)] / 1000, v[1] / 1000, v[n] / 1000 }')
    b=$(printf '%s\n' "${theirs[@]}" | sort -n | awk -v n="$REPEAT" '{ v[NR] = $1 }
        END { printf "%.1f %.1f %.1f", v[int((n + 1) / 2)] / 1000, v[1] / 1000, v[n] / 1000 }')
    echo "$name ${a%% *}" >>"$work/medians.$size"
    awk -v name="$name" -v a="$a" -v b="$b" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        printf "   %-4s ours %7.1f ms (%.1f-%.1f)  reference %7.1f ms (%.1f-%.1f)  ratio %.2f\n",
               name, x[1], x[2], x[3], y[1], y[2], y[3], (y[1] > 0 ? x[1] / y[1] : 0) }'
}

sizes=()
for size in $RUNS; do
    sizes+=("$size")
    mkdir -p "$work/$size"
    db="$work/$size/bench.db"
    : >"$work/medians.$size"
    if [[ -n "${REUSE:-}" && -f "$db" ]]; then
        echo "== $size runs: reusing $db (REUSE is set)"
    else
        echo "== $size runs: ingesting into $db"
        "$dbgen" --runs "$size" ${YEARS:+--years "$YEARS"} --check "$db" | tee "$work/$size/ingest.txt"
        # ingest: us per run in batches (collect), ingest1: one run per transaction
        awk 'NR == 1 { n = 0; for (i = 1; i < NF; i++) if ($(i + 1) == "us") print (n++ ? "ingest1" : "ingest"), $i }' \
            "$work/$size/ingest.txt" >>"$work/medians.$size"
    fi
    ls -l "$db" | awk '{printf "   database file: %.1f MB\n", $5 / 1e6}'
    # a reference of another schema cannot open the file (a failed command is timed too, and
    # its speed would be no speed at all)
    if [[ -n "${REF:-}" ]] && ! "$REF" query --db "$db" --limit 1 --format csv >/dev/null 2>"$work/referr"; then
        echo "db.sh: the reference $REF cannot read $db: $(head -c 300 "$work/referr")" >&2
        echo "db.sh: REF= needs a build of the same schema version (compare other builds on their own databases)" >&2
        exit 2
    fi
    echo "== results of the queries (once)"
    sqlite3 -header -column "$db" "$q1"
    sqlite3 -header -column "$db" "$q2" | head -6
    { "${query[@]}" --db "$db" --plugin hpl --param NB=192 --status ok --since 2026-01-01 \
        --metric gflops --format csv || true; } | awk 'END { print "   Q3 printed " NR - 1 " rows" }'

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
    time_it R1 bash -c '"$@" 2>/dev/null' _ "${report[@]}" --db "$db" --html "$work/$size/report.html"
    ls -l "$work/$size/report.html" | awk '{printf "   R1 wrote a report of %.1f MB\n", $5 / 1e6}'
    time_it R2 bash -c '"$@" 2>/dev/null' _ "${report[@]}" --db "$db" --html "$work/$size/report-hpl.html" \
        --plugin hpl --since 90d
    time_it nop sqlite3 "$db" "SELECT 1;"

done

# growth: time ~ rows^k between consecutive sizes
if ((${#sizes[@]} > 1)); then
    echo "== medians (ms; ingest in us per run) and growth exponents k (time ~ rows^k)"
    awk -v sizes="${sizes[*]}" -v dir="$work" '
        BEGIN {
            ns = split(sizes, sz, " ")
            for (i = 1; i <= ns; i++) {
                f = dir "/medians." sz[i]
                while ((getline line < f) > 0) {
                    split(line, a, " ")
                    if (!(a[1] in seen)) { seen[a[1]] = 1; order[++nq] = a[1] }
                    t[a[1], i] = a[2]
                }
            }
            printf "   %-6s", "query"
            for (i = 1; i <= ns; i++) printf " %10s", sz[i]
            for (i = 2; i <= ns; i++) printf "   k %s->%s", sz[i - 1], sz[i]
            printf "\n"
            for (q = 1; q <= nq; q++) {
                name = order[q]
                printf "   %-6s", name
                for (i = 1; i <= ns; i++)
                    printf " %10s", ((name, i) in t) ? t[name, i] : "-"
                for (i = 2; i <= ns; i++) {
                    if (((name, i) in t) && ((name, i - 1) in t) && t[name, i - 1] > 0 && t[name, i] > 0)
                        printf "   %*.2f", length(sz[i - 1] sz[i]) + 4, log(t[name, i] / t[name, i - 1]) / log(sz[i] / sz[i - 1])
                    else
                        printf "   %*s", length(sz[i - 1] sz[i]) + 4, "-"
                }
                printf "\n"
            }
        }'
fi

if [[ -z "${WORKDIR:-}" ]]; then
    rm -rf "$work"
fi
