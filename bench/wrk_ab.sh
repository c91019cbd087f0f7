#!/usr/bin/env bash
# bench/wrk_ab.sh — two builds of `benchaas serve` side by side on one database, alternated.
#
# Starts the server of build A and of build B (each with its own plugin folder) on the same
# database, then for each URL runs ROUNDS rounds of wrk (-t2 -c64 -dDURATION, p50/p99 from
# bench/wrk_latency.lua), A and B alternated (which goes first flips each round), after one
# request and a 1 s warm-up each, and prints the medians (min-max) of req/s, p50, p99 and
# p99.9, the 1-minute load, and each server's peak resident memory.
# Use it to compare a change with the build before it (build that one apart, e.g. from
# `git worktree add --detach DIR COMMIT`).
#
# Usage: A=/old/build B=build DB=/tmp/sb/bench.db bench/wrk_ab.sh '/ /submit/stream /api/v1/leaderboard?plugin=hpl'
#        ROUNDS=5 DURATION=5s ...      (defaults: 3 rounds of 3 s)
# The database must exist (bench/serve.sh or bench/pages.sh makes one: WORKDIR=W, then
# DB=W/bench.db); an admin `pagesbench` is added to it if missing, and a token made.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/wrk_lib.sh
. "$root/bench/wrk_lib.sh"
[[ $# -eq 1 && -n "${A:-}" && -n "${B:-}" && -f "${DB:-}" ]] || {
    echo "usage: A=BUILD_A B=BUILD_B DB=FILE bench/wrk_ab.sh 'URL-PATH ...'" >&2
    exit 2
}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-3s}
for c in wrk curl; do
    command -v $c >/dev/null || { echo "wrk_ab.sh: needs $c (scripts/deps.sh --test)" >&2; exit 2; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/benchaas-ab.XXXXXX")
if ! "$B/bin/benchaas" user list --db "$DB" | grep -q '^pagesbench '; then
    echo "bench-password" | "$B/bin/benchaas" user add pagesbench --role admin --password-stdin \
        --db "$DB" 2>/dev/null
fi
tok=$("$B/bin/benchaas" token create pagesbench --db "$DB" 2>/dev/null)
auth="Authorization: Bearer $tok"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT

# start BUILD NAME: the server of BUILD on a free port, its pid kept in pids (so the trap
# stops it: not in a $(...) subshell, whose pids+= the script would never see); sets SPORT
start() {
    local log=$work/$2.log port=
    : >"$log"
    BENCHAAS_PLUGIN_PATH=$1/lib/benchaas/plugins "$1/bin/benchaas" serve --listen 127.0.0.1:0 \
        --db "$DB" --max-conns-per-address 1000 2>"$log" >/dev/null &
    pids+=($!)
    for _ in $(seq 300); do
        port=$(sed -n 's|^benchaas serve: listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$log")
        [[ -n "$port" ]] && break
        sleep 0.1
    done
    [[ -n "$port" ]] || { echo "wrk_ab.sh: the server of $1 did not start" >&2; exit 1; }
    SPORT=$port
}
start "$A" a
pa=$SPORT
start "$B" b
pb=$SPORT
echo "== A $A, B $B, $ROUNDS rounds of wrk -t2 -c64 -d$DURATION alternated"
for p in $1; do
    for port in $pa $pb; do
        curl -s -o /dev/null -H "$auth" "http://127.0.0.1:$port$p"
        wrk -t2 -c64 -d1s -H "$auth" "http://127.0.0.1:$port$p" >/dev/null
    done
    ra="" rb="" qa="" qb="" la="" lb="" ta="" tb="" l0=$(loadavg)
    for r in $(seq "$ROUNDS"); do
        for who in $( ((r % 2)) && echo "a b" || echo "b a"); do
            port=$pa
            [[ $who == b ]] && port=$pb
            wrk_run 64 "$DURATION" "http://127.0.0.1:$port$p" "$auth"
            if [[ $who == a ]]; then
                ra+=" $W_RPS" qa+=" $W_P99" la+=" $W_P50" ta+=" $W_P999"
            else
                rb+=" $W_RPS" qb+=" $W_P99" lb+=" $W_P50" tb+=" $W_P999"
            fi
        done
    done
    printf '   %-24s A %s req/s, p50 %s, p99 %s, p99.9 %s ms\n   %-24s B %s req/s, p50 %s, p99 %s, p99.9 %s ms, load %s-%s\n' \
        "$p" "$(stats "$ra")" "$(stats "$la")" "$(stats "$qa")" "$(stats "$ta")" "" \
        "$(stats "$rb")" "$(stats "$lb")" "$(stats "$qb")" "$(stats "$tb")" "$l0" "$(loadavg)"
done
# each server's peak resident memory (VmHWM) over the whole run
for i in 0 1; do
    awk -v w="$( ((i)) && echo B || echo A)" '/VmHWM/ {printf "   server %s peak RSS %.1f MiB\n", w, $2 / 1024}' \
        "/proc/${pids[$i]}/status" 2>/dev/null || true
done
