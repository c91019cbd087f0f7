#!/usr/bin/env bash
# bench/serve.sh — how fast is `benchaas serve` over a large result database?
#
# Goals: with RUNS runs (default 100 000) and 64 connections on loopback,
#   GET /api/v1/leaderboard?plugin=hpl and GET /api/v1/runs?limit=50
#   answer with p99 latency <= 20 ms and no errors, at >= 0.5x the
#   throughput of nginx serving the same bytes as a static file (measured in
#   the same run, alternated); the server's RSS stays under 64 MiB; a job
#   submitted on an idle queue has its first point started in under 1 s.
# This script
#   1. builds the `bench` target (store_dbgen) and benchaas in BUILD (build/),
#   2. generates the database (store_dbgen --runs RUNS),
#   3. starts `benchaas serve` on 127.0.0.1 port 0 (--threads THREADS, and as many
#      connections from one address as wrk opens) and nginx (nginx-light) on another
#      free port, serving the two responses saved as static files,
#   4. for each URL runs ROUNDS rounds of wrk (-t2 -c64 -dDURATION, p50/p99/p99.9 from
#      bench/wrk_latency.lua), ours and nginx alternated (which goes first flips each
#      round), and prints each run with the 1-minute load, then the medians (min-max)
#      and the ratio of the medians,
#   5. with CHANGE=1 (default) one more pass while a writer commits a change every
#      second (the kept answers are then refreshed off the request path, answers.h),
#   6. prints the server's peak RSS and the submission-to-start time.
#
# Usage: bench/serve.sh                    (RUNS=100000 DURATION=10s THREADS=4 ROUNDS=3)
#        RUNS=20000 DURATION=5s bench/serve.sh
#        WORKDIR=/tmp/sb REUSE=1 bench/serve.sh   (keep the database)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-100000}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-4}
ROUNDS=${ROUNDS:-3}
CHANGE=${CHANGE:-1}
work=${WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/benchaas-servebench.XXXXXX")}
mkdir -p "$work"
db="$work/bench.db"
build=${BUILD:-$root/build}
# shellcheck source=bench/wrk_lib.sh
. "$root/bench/wrk_lib.sh"

for c in wrk nginx curl python3; do
    command -v $c >/dev/null || { echo "serve.sh: needs $c (scripts/deps.sh --test)" >&2; exit 2; }
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
ls -l "$db" | awk '{printf "   database file: %.1f MB\n", $5 / 1e6}'
if ! "$bx" user list --db "$db" | grep -q '^bench '; then
    echo "bench-password" | "$bx" user add bench --role member --password-stdin --db "$db" 2>/dev/null
fi
tok=$("$bx" token create bench --db "$db" 2>/dev/null)

pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

# (the log exists before the server starts: the loop below reads it at once, under set -e)
: >"$work/serve.log"
"$bx" serve --listen 127.0.0.1:0 --db "$db" --threads "$THREADS" --max-conns-per-address 1000 \
    2>"$work/serve.log" &
spid=$!
pids+=($spid)
for _ in $(seq 100); do
    port=$(sed -n 's/^benchaas serve: listening on http:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$work/serve.log")
    [[ -n "$port" ]] && break
    sleep 0.1
done
[[ -n "$port" ]] || { cat "$work/serve.log"; echo "serve.sh: the server did not start" >&2; exit 1; }
base="http://127.0.0.1:$port"
auth="Authorization: Bearer $tok"

# nginx serving the same bodies as static files
mkdir -p "$work/www"
curl -sf -H "$auth" "$base/api/v1/leaderboard?plugin=hpl" >"$work/www/leaderboard.json"
curl -sf -H "$auth" "$base/api/v1/runs?limit=50" >"$work/www/runs.json"
nginx_start "$work"
nport=$NGINX_PORT
curl -sf "http://127.0.0.1:$nport/runs.json" >/dev/null || { echo "serve.sh: nginx did not start" >&2; exit 1; }

# warm-up: the first request of each URL computes its answer (kept, shared by every thread,
# refreshed when the database changes); nginx reads its files once
for u in "$base/api/v1/leaderboard?plugin=hpl" "$base/api/v1/runs?limit=50"; do
    wrk -t2 -c64 -d2s -H "$auth" "$u" >/dev/null
done
wrk -t2 -c64 -d2s "http://127.0.0.1:$nport/runs.json" >/dev/null
echo "== wrk -t2 -c64 -d$DURATION, $ROUNDS rounds alternated (size: leaderboard $(stat -c %s "$work/www/leaderboard.json") B, runs $(stat -c %s "$work/www/runs.json") B)"
# the server's resident memory, sampled during its runs
( peak=0; while kill -0 "$spid" 2>/dev/null; do
      r=$(awk '/VmRSS/ {print $2}' "/proc/$spid/status" 2>/dev/null || echo 0)
      [[ ${r:-0} -gt $peak ]] && peak=$r && echo "$peak" >"$work/rss"
      sleep 0.2
  done ) &
pids+=($!)

# compare NAME SERVE_URL NGINX_URL: ROUNDS alternated rounds, each run printed, then the
# medians (min-max) and the ratio of the median throughputs
compare() {
    local name=$1 su=$2 nu=$3 r who
    local s_rps="" s_p50="" s_p99="" s_p999="" n_rps="" n_p50="" n_p99="" n_p999="" errs=0
    for r in $(seq "$ROUNDS"); do
        for who in $( ((r % 2)) && echo "serve nginx" || echo "nginx serve"); do
            local l0; l0=$(loadavg)
            if [[ $who == serve ]]; then
                wrk_run 64 "$DURATION" "$su" "$auth"
                s_rps+=" $W_RPS" s_p50+=" $W_P50" s_p99+=" $W_P99" s_p999+=" $W_P999"
            else
                wrk_run 64 "$DURATION" "$nu"
                n_rps+=" $W_RPS" n_p50+=" $W_P50" n_p99+=" $W_P99" n_p999+=" $W_P999"
            fi
            errs=$((errs + W_ERR + W_NON2XX))
            printf "   %-12s round %d %-6s %9.0f req/s  p50 %7.2f  p99 %7.2f  p99.9 %7.2f ms  errors %d+%d  load %s-%s\n" \
                "$name" "$r" "$who" "$W_RPS" "$W_P50" "$W_P99" "$W_P999" "$W_ERR" "$W_NON2XX" "$l0" "$(loadavg)"
        done
    done
    printf "   %-12s serve: %s req/s, p50 %s, p99 %s, p99.9 %s ms\n" "$name" "$(stats "$s_rps")" \
        "$(stats "$s_p50")" "$(stats "$s_p99")" "$(stats "$s_p999")"
    printf "   %-12s nginx: %s req/s, p50 %s, p99 %s, p99.9 %s ms\n" "$name" "$(stats "$n_rps")" \
        "$(stats "$n_p50")" "$(stats "$n_p99")" "$(stats "$n_p999")"
    awk -v a="$(median "$s_rps")" -v b="$(median "$n_rps")" -v p="$(median "$s_p99")" -v n="$name" -v e="$errs" \
        'BEGIN { printf "   %-12s serve / nginx %.2fx (goal >= 0.5x), p99 %s ms (goal <= 20), errors %d\n", n, a / b, p, e }'
}
compare leaderboard "$base/api/v1/leaderboard?plugin=hpl" "http://127.0.0.1:$nport/leaderboard.json"
compare runs "$base/api/v1/runs?limit=50" "http://127.0.0.1:$nport/runs.json"

if [[ $CHANGE == 1 ]]; then
    echo "== the same while the database changes every second (a writer beside the server)"
    python3 - "$db" <<'PYEOF' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], timeout=10)
c.execute("CREATE TABLE IF NOT EXISTS bench_tick(t)")
while True:
    c.execute("INSERT INTO bench_tick VALUES (?)", (time.time(),))
    c.commit()
    time.sleep(1)
PYEOF
    pids+=($!)
    compare "leaderboard+" "$base/api/v1/leaderboard?plugin=hpl" "http://127.0.0.1:$nport/leaderboard.json"
    compare "runs+" "$base/api/v1/runs?limit=50" "http://127.0.0.1:$nport/runs.json"
    kill "${pids[-1]}" 2>/dev/null || true
fi
awk '{printf "   server RSS under load: %.1f MiB at most (goal < 64 MiB)", $1 / 1024}' "$work/rss"
awk '/RssAnon/ {printf "; anonymous %.1f MiB", $2 / 1024} /RssFile/ {printf ", file-backed (the mapped database) %.1f MiB\n", $2 / 1024}' "/proc/$spid/status"

echo "== submission to first point started (idle queue)"
python3 - "$base" "$tok" <<'EOF'
import json, sys, time, urllib.request
base, tok = sys.argv[1], sys.argv[2]
h = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
best = []
for i in range(5):
    body = json.dumps({"plugin": "stream", "params": {"array_size": 100000, "ntimes": 2}}).encode()
    t0 = time.monotonic()
    r = json.load(urllib.request.urlopen(urllib.request.Request(base + "/api/v1/jobs", body, h)))
    jid = r["job"]["id"]
    while True:
        j = json.load(urllib.request.urlopen(urllib.request.Request(
            "%s/api/v1/jobs/%d" % (base, jid), headers=h)))["job"]
        if j["state"] != "queued":
            break
        time.sleep(0.005)
    best.append(time.monotonic() - t0)
    while j["state"] not in ("done", "failed", "cancelled"):
        time.sleep(0.05)
        j = json.load(urllib.request.urlopen(urllib.request.Request(
            "%s/api/v1/jobs/%d" % (base, jid), headers=h)))["job"]
best.sort()
print("   submitted -> running: median %.0f ms, max %.0f ms over 5 jobs (goal < 1 s)"
      % (best[2] * 1000, best[-1] * 1000))
EOF
