# common.sh — helpers for the iperf plugin's shell tests (sourced).

fail() { echo "FAIL: $*" >&2; exit 1; }

# port_free PORT: wait (at most 10 s) until TCP PORT is free, else fail
# saying who holds it (another test or program?)
port_free() {
    for _ in $(seq 100); do
        ss -Hltn "sport = :$1" 2>/dev/null | grep -q . || return 0
        sleep 0.1
    done
    local l pid
    l=$(ss -Hltnp "sport = :$1")
    pid=$(echo "$l" | sed -n 's/.*pid=\([0-9]*\),.*/\1/p' | head -1)
    fail "port $1 is in use: $l; $( [ -n "$pid" ] && ps -o pid,ppid,lstart,args -p "$pid" | tail -1)"
}

# wait_listen PORT PID [ANY]: until process PID (with ANY: any process,
# e.g. PID's child) listens on TCP PORT, at most 10 s.
wait_listen() {
    local who="pid=$2,"
    [ $# -gt 2 ] && who=LISTEN
    for _ in $(seq 100); do
        kill -0 "$2" 2>/dev/null || fail "the server exited early"
        ss -Hltnp "sport = :$1" 2>/dev/null | grep -q "$who" && return 0
        sleep 0.1
    done
    fail "nothing listens on port $1 after 10 s"
}

# value FILE NAME: the value of "metric NAME v" (or "meta NAME v") in FILE.
value() { awk -v n="$2" '($1 == "metric" || $1 == "meta") && $2 == n { print $3; exit }' "$1"; }

# gt A B: A > B as floating point numbers.
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }
