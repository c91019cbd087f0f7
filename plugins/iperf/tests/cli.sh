#!/bin/bash
# cli.sh BENCHAAS PORT — the plugin through the real CLI, the worker and the
# database: loopback TCP and UDP, exit 2 for bad input, exit 1 and a
# `failed` run for a refused connection, server and client as two
# `benchaas run` invocations (and a busy second client), pairs with 2 ranks.
set -u
. "$(dirname "$0")/common.sh"
bx=$1 port=$2 port2=$(($2 + 1))
tmp=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT
db=$tmp/x.db
q() { sqlite3 "$1" "$2"; }
# metric DB NAME: the value of NAME in the last run stored in DB
metric() { q "$1" "SELECT value FROM results WHERE metric='$2' ORDER BY run_id DESC LIMIT 1"; }
expect() { # expect CODE WHAT -- command...
    local want=$1 what=$2
    shift 3
    "$@" > "$tmp/out" 2>&1
    local rc=$?
    [ "$rc" = "$want" ] || fail "$what: exit $rc, wanted $want: $(tail -5 "$tmp/out")"
}

expect 0 "loopback TCP" -- "$bx" run iperf -p duration=1 -p port="$port" --db "$db"
gt "$(metric "$db" throughput)" 0.05 || fail "loopback throughput $(metric "$db" throughput)"
[ -n "$(metric "$db" rtt)" ] || fail "no rtt"
expect 0 "loopback UDP reverse" -- "$bx" run iperf -p duration=1 -p port="$port" \
    -p protocol=udp -p reverse=true -p rate=20m --db "$db"
t=$(metric "$db" throughput)
gt "$t" 0.015 && gt 0.021 "$t" || fail "UDP at 20 Mbit/s: $t"
[ -n "$(metric "$db" jitter)" ] && [ -n "$(metric "$db" lost_percent)" ] || fail "no UDP metrics"

# port=0: loopback on a port the kernel picks, recorded in the run's metadata
expect 0 "loopback on port 0" -- "$bx" run iperf -p duration=0.5 -p port=0 --db "$db"
p0=$(q "$db" "SELECT value FROM run_meta WHERE key='server' ORDER BY run_id DESC LIMIT 1")
case "$p0" in 127.0.0.1:0|"") fail "loopback port=0: server address '$p0'" ;; 127.0.0.1:*) ;; *) fail "server '$p0'" ;; esac

# bad input: exit 2, nothing stored
n=$(q "$db" "SELECT COUNT(DISTINCT run_id) FROM results")
expect 2 "port=0 in server mode" -- "$bx" run iperf -p mode=server -p port=0 --db "$db"
grep -q "port=0 .* works only in mode=loopback" "$tmp/out" || fail "port=0 message: $(cat "$tmp/out")"
expect 2 "port=0 in client mode" -- "$bx" run iperf -p mode=client -p host=127.0.0.1 -p port=0 --db "$db"
expect 2 "port=65536" -- "$bx" run iperf -p port=65536 --db "$db"
expect 2 "streams=0" -- "$bx" run iperf -p streams=0 --db "$db"
expect 2 "streams=129" -- "$bx" run iperf -p streams=129 --db "$db"
expect 2 "duration=0" -- "$bx" run iperf -p duration=0 -p port="$port" --db "$db"
expect 2 "unresolvable host" -- "$bx" run iperf -p mode=client -p host=no-such.invalid --db "$db"
expect 2 "pairs with 3 ranks" -- "$bx" run iperf -p mode=pairs --ranks 3 --db "$db"
[ "$(q "$db" "SELECT COUNT(DISTINCT run_id) FROM results")" = "$n" ] || fail "bad input was stored"

# a refused connection: a failed run that names the address
expect 1 "refused" -- "$bx" run iperf -p mode=client -p host=127.0.0.1 -p port="$port2" \
    -p duration=1 --db "$db"
q "$db" "SELECT status, error FROM runs ORDER BY id DESC LIMIT 1" | grep -q "^failed|.*127.0.0.1:$port2 refused" ||
    fail "refused run: $(q "$db" "SELECT status, error FROM runs ORDER BY id DESC LIMIT 1")"

# server and client as two invocations; meanwhile its port is in use
port_free "$port2"
"$bx" run iperf -p mode=server -p port="$port2" -p tests=1 -p duration=60 --db "$tmp/s.db" \
    > "$tmp/server" 2>&1 &
spid=$!
wait_listen "$port2" "$spid" any
expect 2 "loopback on a port in use" -- "$bx" run iperf -p port="$port2" --db "$db"
"$bx" run iperf -p mode=client -p host=127.0.0.1 -p port="$port2" -p duration=2 --db "$tmp/c1.db" \
    > "$tmp/c1" 2>&1 &
c1=$!
sleep 1
expect 1 "a second client while a test runs" -- "$bx" run iperf -p mode=client \
    -p host=127.0.0.1 -p port="$port2" -p duration=1 --db "$tmp/c2.db"
grep -q busy "$tmp/out" || fail "second client: $(tail -3 "$tmp/out")"
wait "$c1" || fail "client: $(tail -5 "$tmp/c1")"
wait "$spid" || fail "server: $(tail -5 "$tmp/server")"
spid=
gt "$(metric "$tmp/c1.db" throughput)" 0.05 || fail "client throughput"
gt "$(metric "$tmp/s.db" throughput)" 0.05 || fail "server throughput"

# pairs under the MPI launcher
expect 0 "pairs with 2 ranks" -- "$bx" run iperf -p mode=pairs --ranks 2 -p duration=1 --db "$db"
gt "$(metric "$db" pair_throughput)" 0.05 || fail "pairs: $(metric "$db" pair_throughput)"
echo "cli: ok"
