#!/usr/bin/env bash
# bench/pages.sh — how fast are the pages of `benchaas serve` over a large database?
#
# Goals (the pages of docs/serve.md): with RUNS runs (default 100 000) and 16 connections on
# loopback, every page rendered server-side in under 100 ms at p99, the dashboard in
# under 50 ms, no page over 500 kB.
# This script
#   1. builds the `bench` target (store_dbgen) and benchaas in BUILD (build/),
#   2. generates the database (store_dbgen --runs RUNS) and one admin,
#   3. starts `benchaas serve` on 127.0.0.1 port 0,
#   4. runs wrk (-t2 -c16 -dDURATION --latency, an admin's token) against each page
#      and prints requests/s, p50/p99 latency, non-2xx answers and the page's size,
#   5. times /report and /compare (each runs a CLI command) once with curl.
#
# Usage: bench/pages.sh                    (RUNS=100000 DURATION=5s)
#        RUNS=20000 DURATION=3s bench/pages.sh
#        WORKDIR=/tmp/pb REUSE=1 bench/pages.sh   (keep the database)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-100000}
DURATION=${DURATION:-5s}
work=${WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/benchaas-pagesbench.XXXXXX")}
mkdir -p "$work"
db="$work/bench.db"
build=${BUILD:-$root/build}

for c in wrk curl; do
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

spid=
trap '[[ -n "$spid" ]] && kill "$spid" 2>/dev/null; wait 2>/dev/null || true' EXIT
"$bx" serve --listen 127.0.0.1:0 --db "$db" 2>"$work/serve.log" >/dev/null &
spid=$!
port=
for _ in $(seq 1 300); do
    port=$(sed -n 's|^benchaas serve: listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$work/serve.log")
    [[ -n "$port" ]] && break
    sleep 0.1
done
[[ -n "$port" ]] || { echo "pages.sh: the server did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
base=http://127.0.0.1:$port
plugin=$(sqlite3 "$db" "SELECT plugin FROM runs GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
run=$(sqlite3 "$db" "SELECT max(id) FROM runs WHERE status = 'ok'")
run2=$(sqlite3 "$db" "SELECT max(id) - 1 FROM runs WHERE status = 'ok'")

echo "== wrk -t2 -c16 -d$DURATION --latency (RUNS=$RUNS, plugin $plugin)"
printf '   %-28s %9s %9s %9s %7s %9s\n' page req/s p50 p99 non2xx size
for p in / /jobs "/runs/$run" "/leaderboard/$plugin" /leaderboard /submit/stream /admin/users; do
    size=$(curl -s -o /dev/null -w '%{size_download}' -H "Authorization: Bearer $tok" "$base$p")
    out=$(wrk -t2 -c16 -d"$DURATION" --latency -H "Authorization: Bearer $tok" "$base$p")
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    printf '   %-28s %9s %9s %9s %7s %8.1fk\n' "$p" "$rps" "$p50" "$p99" "${non2xx:-0}" \
        "$(awk -v s="$size" 'BEGIN {print s / 1000}')"
done
echo "== one request each (they run a CLI command)"
for p in "/compare?a=$run&b=$run2" "/report?plugin=$plugin"; do
    curl -s -o /dev/null -w "   %{url_effective}: %{http_code} in %{time_total} s, %{size_download} B\n" \
        -H "Authorization: Bearer $tok" "$base$p"
done
