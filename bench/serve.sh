#!/usr/bin/env bash
# bench/serve.sh — how fast is `benchaas serve` over a large result database?
#
# Goals: with RUNS runs (default 100 000) and 64 connections on loopback,
#   GET /api/v1/leaderboard?plugin=hpl and GET /api/v1/runs?limit=50
#   answer with p99 latency under 50 ms and no errors, at >= 0.25x the
#   throughput of nginx serving a static file of the same size (measured in
#   the same run); the server's RSS stays under 64 MiB; a job submitted on an
#   idle queue has its first point started in under 1 s.
# This script
#   1. builds the `bench` target (store_dbgen) and benchaas in BUILD (build/),
#   2. generates the database (store_dbgen --runs RUNS),
#   3. starts `benchaas serve` on 127.0.0.1 port 0 and nginx (nginx-light) on
#      another free port, serving the two responses saved as static files,
#   4. runs wrk (-t2 -c64 -dDURATION --latency) against each of the four
#      URLs and prints requests/s, p50/p99 latency and errors,
#   5. prints the server's peak RSS and the submission-to-start time.
#
# Usage: bench/serve.sh                    (RUNS=100000 DURATION=10s THREADS=4)
#        RUNS=20000 DURATION=5s bench/serve.sh
#        WORKDIR=/tmp/sb REUSE=1 bench/serve.sh   (keep the database)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-100000}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-4}
work=${WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/benchaas-servebench.XXXXXX")}
mkdir -p "$work"
db="$work/bench.db"
build=${BUILD:-$root/build}

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

"$bx" serve --listen 127.0.0.1:0 --db "$db" --threads "$THREADS" 2>"$work/serve.log" &
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
mkdir -p "$work/www" "$work/nginx"
curl -sf -H "$auth" "$base/api/v1/leaderboard?plugin=hpl" >"$work/www/leaderboard.json"
curl -sf -H "$auth" "$base/api/v1/runs?limit=50" >"$work/www/runs.json"
nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    default_type application/json;
    client_body_temp_path $work/nginx;
    proxy_temp_path $work/nginx;
    fastcgi_temp_path $work/nginx;
    uwsgi_temp_path $work/nginx;
    scgi_temp_path $work/nginx;
    server { listen 127.0.0.1:$nport; root $work/www; }
}
EOF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
pids+=($!)
sleep 0.5
curl -sf "http://127.0.0.1:$nport/runs.json" >/dev/null || { echo "serve.sh: nginx did not start" >&2; exit 1; }

# bench NAME URL [HEADER]: one wrk run; prints a line and sets RPS
bench() {
    local name=$1 url=$2 out
    if [[ $# -gt 2 ]]; then
        out=$(wrk -t2 -c64 -d"$DURATION" --latency -H "$3" "$url")
    else
        out=$(wrk -t2 -c64 -d"$DURATION" --latency "$url")
    fi
    RPS=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    local p50 p99 errs non2xx
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errs=$(awk '/Socket errors/ {print $0}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    printf "   %-28s %9.0f req/s   p50 %-9s p99 %-9s errors: %s%s\n" "$name" "$RPS" "$p50" "$p99" \
        "${non2xx:-0} non-2xx" "${errs:+; $errs}"
}

# warm-up: every server thread computes its answers once (they are cached until
# the database changes), nginx reads its files once
for u in "$base/api/v1/leaderboard?plugin=hpl" "$base/api/v1/runs?limit=50"; do
    wrk -t2 -c64 -d2s -H "$auth" "$u" >/dev/null
done
wrk -t2 -c64 -d2s "http://127.0.0.1:$nport/runs.json" >/dev/null
echo "== wrk -t2 -c64 -d$DURATION (size: leaderboard $(stat -c %s "$work/www/leaderboard.json") B, runs $(stat -c %s "$work/www/runs.json") B)"
# the server's resident memory, sampled during its runs
( peak=0; while kill -0 "$spid" 2>/dev/null; do
      r=$(awk '/VmRSS/ {print $2}' "/proc/$spid/status" 2>/dev/null || echo 0)
      [[ ${r:-0} -gt $peak ]] && peak=$r && echo "$peak" >"$work/rss"
      sleep 0.2
  done ) &
pids+=($!)
bench "serve leaderboard?plugin=hpl" "$base/api/v1/leaderboard?plugin=hpl" "$auth"; r1=$RPS
bench "nginx leaderboard.json" "http://127.0.0.1:$nport/leaderboard.json"; n1=$RPS
bench "serve runs?limit=50" "$base/api/v1/runs?limit=50" "$auth"; r2=$RPS
bench "nginx runs.json" "http://127.0.0.1:$nport/runs.json"; n2=$RPS
awk -v a="$r1" -v b="$n1" -v c="$r2" -v d="$n2" 'BEGIN {
    printf "   throughput vs nginx: leaderboard %.2fx, runs %.2fx (goal >= 0.25x)\n", a / b, c / d }'
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
