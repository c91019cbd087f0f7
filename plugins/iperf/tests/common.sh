# common.sh — helpers for the iperf plugin's shell tests (sourced).

fail() { echo "FAIL: $*" >&2; exit 1; }

# port_free PORT: fail unless TCP PORT is free (another test or program on it?)
port_free() {
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q . &&
        fail "port $1 is already in use: $(ss -Hltnp "sport = :$1")"
    return 0
}

# wait_listen PORT PID: until process PID listens on TCP PORT (at most 10 s).
wait_listen() {
    for _ in $(seq 100); do
        kill -0 "$2" 2>/dev/null || fail "the server exited early"
        ss -Hltnp "sport = :$1" 2>/dev/null | grep -q "pid=$2," && return 0
        sleep 0.1
    done
    fail "nothing listens on port $1 after 10 s"
}

# value FILE NAME: the value of "metric NAME v" (or "meta NAME v") in FILE.
value() { awk -v n="$2" '($1 == "metric" || $1 == "meta") && $2 == n { print $3; exit }' "$1"; }

# gt A B: A > B as floating point numbers.
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }
