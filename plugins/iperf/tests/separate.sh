#!/bin/bash
# separate.sh IPERF_HOST PORT — server and clients in separate processes:
# a TCP test, a reverse UDP test, and a second client while a test runs
# (it must fail with "busy" while the first one completes).
set -u
. "$(dirname "$0")/common.sh"
host=$1 port=$2
tmp=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT

port_free "$port"
"$host" mode=server port="$port" tests=3 duration=60 > "$tmp/server" 2>&1 &
spid=$!
wait_listen "$port" "$spid"

"$host" mode=client host=127.0.0.1 port="$port" duration=1 > "$tmp/c1" 2>&1 ||
    fail "TCP client: $(cat "$tmp/c1")"
gt "$(value "$tmp/c1" throughput)" 0.05 || fail "TCP client: $(cat "$tmp/c1")"

"$host" mode=client host=127.0.0.1 port="$port" duration=1 protocol=udp reverse=true \
    rate=20m > "$tmp/c2" 2>&1 || fail "UDP reverse client: $(cat "$tmp/c2")"
t=$(value "$tmp/c2" throughput)
gt "$t" 0.015 && gt 0.021 "$t" || fail "UDP reverse at 20 Mbit/s measured $t Gbit/s"

"$host" mode=client host=127.0.0.1 port="$port" duration=2 streams=2 > "$tmp/c3" 2>&1 &
c3=$!
sleep 0.8
"$host" mode=client host=127.0.0.1 port="$port" duration=1 > "$tmp/c4" 2>&1
rc=$?
[ "$rc" = 1 ] || fail "second client: exit $rc, wanted 1 (failed run): $(cat "$tmp/c4")"
grep -q "error server 127.0.0.1:$port is busy" "$tmp/c4" || fail "second client: $(cat "$tmp/c4")"
wait "$c3" || fail "first client while the second was turned away: $(cat "$tmp/c3")"

wait "$spid"
rc=$?
spid=
[ "$rc" = 0 ] || fail "server exit $rc: $(cat "$tmp/server")"
[ "$(value "$tmp/server" tests_served)" = 3 ] || fail "server: $(cat "$tmp/server")"
[ "$(value "$tmp/server" busy_answers)" -ge 1 ] || fail "server counted no busy answer"
gt "$(value "$tmp/server" throughput)" 0.05 || fail "server metrics: $(cat "$tmp/server")"
echo "separate: ok"
