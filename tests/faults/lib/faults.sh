# tests/faults/lib/faults.sh — helpers of the fault tests, sourced after tests/lib.sh.
export BENCHAAS_PLUGIN_PATH="$FAULT_PLUGINS"
export FAULT_PID_DIR="$TMP/pids"   # faulty writes rank<R>.pid there when a repetition starts
mkdir -p "$FAULT_PID_DIR"

# alive PID: a live process (a zombie waiting for init to reap it is not).
alive() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) && [ -n "$st" ] && [ "${st#Z}" = "$st" ]; }

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds; 1 on timeout.
wait_for() {
    local n=$(( $1 * 10 )); shift
    for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
    "$@"
}

# rank_pid R: the pid faulty's rank R wrote (empty if none yet).
rank_pid() { cat "$FAULT_PID_DIR/rank$1.pid" 2>/dev/null; }
have_rank_pid() { [ -s "$FAULT_PID_DIR/rank$1.pid" ]; }

# no_leftovers PATTERN: fail (after killing them) if live processes match PATTERN.
no_leftovers() {
    local p bad=""
    for p in $(pgrep -f "$1"); do alive "$p" && bad="$bad $p"; done
    [ -z "$bad" ] && return 0
    ps -o pid,ppid,pgid,stat,cmd -p ${bad// /,} >&2
    kill -9 $bad 2>/dev/null
    fail "processes left behind:$bad"
}
