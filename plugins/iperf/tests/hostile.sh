#!/bin/bash
# hostile.sh IPERF_HOST HOSTILE PORT — a server in its own process survives
# every hostile client (tests/hostile.c) and then serves a real test.
set -u
. "$(dirname "$0")/common.sh"
host=$1 hostile=$2 port=$3
tmp=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT

port_free "$port"
"$host" mode=server port="$port" tests=1 duration=120 > "$tmp/server" 2>&1 &
spid=$!
wait_listen "$port" "$spid"

"$hostile" "$port" || fail "hostile cases (server said: $(cat "$tmp/server"))"
kill -0 "$spid" 2>/dev/null || fail "the server died: $(cat "$tmp/server")"

"$host" mode=client host=127.0.0.1 port="$port" duration=1 > "$tmp/client" 2>&1 ||
    fail "a real test after the hostile ones: $(cat "$tmp/client")"
gt "$(value "$tmp/client" throughput)" 0.05 || fail "client: $(cat "$tmp/client")"

wait "$spid"
rc=$?
spid=
[ "$rc" = 0 ] || fail "server exit $rc: $(cat "$tmp/server")"
[ "$(value "$tmp/server" tests_served)" = 1 ] || fail "server: $(cat "$tmp/server")"
[ "$(value "$tmp/server" connections_rejected)" -ge 20 ] || fail "rejections: $(cat "$tmp/server")"
[ "$(value "$tmp/server" tests_aborted)" -ge 5 ] || fail "aborted tests: $(cat "$tmp/server")"
echo "hostile: ok"
