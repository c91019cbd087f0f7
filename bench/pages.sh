#!/usr/bin/env bash
# bench/pages.sh — how fast are the pages of `benchaas serve` over a large database?
#
# Goals (the pages of docs/serve.md): with RUNS runs (default 100 000) and CONNS (64) connections on
# loopback, every page rendered server-side with p99 <= 50 ms, no page over 500 kB.
# This script
#   1. builds the `bench` target (store_dbgen) and benchaas in BUILD (build/),
#   2. generates the database (store_dbgen --runs RUNS) and one admin,
#   3. starts `benchaas serve` on 127.0.0.1 port 0 and nginx serving each page's bytes,
#   4. for each page runs ROUNDS rounds of wrk (-t2 -cCONNS -dDURATION, an admin's token,
#      p50/p99/p99.9 from bench/wrk_latency.lua), ours and nginx alternated, and prints
#      the medians (min-max), the ratio of the median throughputs, non-2xx answers, the
#      page's size and the 1-minute load before and after,
#   5. times /report and /compare (each runs a CLI command) once with curl.
#
# Usage: bench/pages.sh                    (RUNS=100000 DURATION=5s CONNS=64 ROUNDS=3)
#        RUNS=20000 DURATION=3s bench/pages.sh
#        WORKDIR=/tmp/pb REUSE=1 bench/pages.sh   (keep the database)
#        PAGES='^/leaderboard/|^/admin' bench/pages.sh  (only the pages whose path matches;
#                   the /compare and /report requests are left out then)
#        PLUGIN=hpl bench/pages.sh  (that plugin's leaderboard, not the one with most runs)
#        BUILD=/old/build WORKDIR=W REUSE=1 bench/pages.sh  (another build's server on the
#                   same database: run it and this build's in turn to compare them)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-100000}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-64}
ROUNDS=${ROUNDS:-3}
work=${WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/benchaas-pagesbench.XXXXXX")}
mkdir -p "$work"
db="$work/bench.db"
build=${BUILD:-$root/build}
# shellcheck source=bench/wrk_lib.sh
. "$root/bench/wrk_lib.sh"

for c in wrk curl nginx python3; do
    command -v $c >/dev/null || { echo "pages.sh: needs $c (scripts/deps.sh --test)" >&2; exit 2; }
done

echo "== building"
[[ -f "$build/CMakeCache.txt" ]] || cmake -S "$root" -B "$build" >/dev/null
cmake --build "$build" --target bench benchaas -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
bx=$build/bin/benchaas

if [[ -n "${REUSE:-}" && -f "$db" ]]; then
    echo "== reusing $db"
else
    rm -f "$db" "$db"-*
    echo "== ingesting $RUNS runs"
    "$build/bench/store_dbgen" --runs "$RUNS" "$db" >/dev/null
fi
if ! "$bx" user list --db "$db" | grep -q '^pagesbench '; then
    echo "bench-password" | "$bx" user add pagesbench --role admin --password-stdin \
        --db "$db" 2>/dev/null
fi
tok=$("$bx" token create pagesbench --db "$db" 2>/dev/null)

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null || true' EXIT
# (the log exists before the server starts: the loop below reads it at once, under set -e)
: >"$work/serve.log"
"$bx" serve --listen 127.0.0.1:0 --db "$db" --max-conns-per-address 1000 2>"$work/serve.log" >/dev/null &
spid=$!
pids+=($spid)
port=
for _ in $(seq 1 300); do
    port=$(sed -n 's|^benchaas serve: listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$work/serve.log")
    [[ -n "$port" ]] && break
    sleep 0.1
done
[[ -n "$port" ]] || { echo "pages.sh: the server did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
base=http://127.0.0.1:$port
plugin=${PLUGIN:-$(sqlite3 "$db" "SELECT plugin FROM runs GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")}
run=$(sqlite3 "$db" "SELECT max(id) FROM runs WHERE status = 'ok'")
run2=$(sqlite3 "$db" "SELECT max(id) - 1 FROM runs WHERE status = 'ok'")

auth="Authorization: Bearer $tok"
pages=(/ /jobs "/runs/$run" "/leaderboard/$plugin" /leaderboard /submit/stream /admin/users)
if [[ -n "${PAGES:-}" ]]; then
    kept=()
    for p in "${pages[@]}"; do [[ $p =~ $PAGES ]] && kept+=("$p"); done
    pages=("${kept[@]}")
fi
mkdir -p "$work/www"
for i in "${!pages[@]}"; do
    curl -sf -H "$auth" "$base${pages[$i]}" >"$work/www/page$i.html"
    wrk -t2 -c"$CONNS" -d1s -H "$auth" "$base${pages[$i]}" >/dev/null  # warm-up
done
nginx_start "$work"

nruns=$(sqlite3 "$db" "SELECT count(*) FROM runs")  # the database's, REUSE=1 too
echo "== wrk -t2 -c$CONNS -d$DURATION, $ROUNDS rounds alternated with nginx ($nruns runs, plugin $plugin)"
printf '   %-22s %-22s %-20s %-20s %-20s %-20s %7s %6s %7s %s\n' page "serve req/s" "p50 ms" "p99 ms" \
    "p99.9 ms" "nginx p99 ms" "/nginx" non2xx size load
for i in "${!pages[@]}"; do
    p=${pages[$i]}
    rps="" p50="" p99="" p999="" nrps="" np99="" bad=0 l0=$(loadavg)
    for r in $(seq "$ROUNDS"); do
        for who in $( ((r % 2)) && echo "serve nginx" || echo "nginx serve"); do
            if [[ $who == serve ]]; then
                wrk_run "$CONNS" "$DURATION" "$base$p" "$auth"
                rps+=" $W_RPS" p50+=" $W_P50" p99+=" $W_P99" p999+=" $W_P999"
                bad=$((bad + W_NON2XX + W_ERR))
            else
                wrk_run "$CONNS" "$DURATION" "http://127.0.0.1:$NGINX_PORT/page$i.html"
                nrps+=" $W_RPS" np99+=" $W_P99"
            fi
        done
    done
    printf '   %-22s %-22s %-20s %-20s %-20s %-20s %6.2fx %6s %6.1fk %s-%s\n' "$p" "$(stats "$rps")" "$(stats "$p50")" \
        "$(stats "$p99")" "$(stats "$p999")" "$(stats "$np99")" "$(awk -v a="$(median "$rps")" -v b="$(median "$nrps")" 'BEGIN {print a / b}')" \
        "$bad" "$(awk -v s="$(stat -c %s "$work/www/page$i.html")" 'BEGIN {print s / 1000}')" "$l0" "$(loadavg)"
done
[[ -z "${PAGES:-}" ]] || exit 0
echo "== one request each (they run a CLI command)"
for p in "/compare?a=$run&b=$run2" "/report?plugin=$plugin"; do
    curl -s -o /dev/null -w "   %{url_effective}: %{http_code} in %{time_total} s, %{size_download} B\n" \
        -H "Authorization: Bearer $tok" "$base$p"
done
