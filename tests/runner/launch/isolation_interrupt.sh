# SIGINT to the runner stops the running point (recorded as interrupted), skips
# the remaining points, leaves no worker behind and exits 1.
. "$TEST_LIB" || exit 1
# Started directly (not through a shell function) so that $! is the runner.
"$BENCHAAS" run trivial -p mode=hang,ok,ok --db "$TMP/i.db" >"$TMP/out" 2>"$TMP/err" &
pid=$!
for _ in $(seq 100); do
    pgrep -f "benchaas-worker.*$TMP" >/dev/null && break
    sleep 0.1
done
pgrep -f "benchaas-worker.*$TMP" >/dev/null || { kill "$pid"; fail "the worker did not start"; }
kill -INT "$pid"
# The runner must be gone soon; do not wait for the default one-hour timeout.
for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid"
    for w in $(pgrep -f "benchaas-worker.*$TMP"); do kill -KILL "$w"; done
    fail "the runner still runs 10 s after SIGINT"
fi
wait "$pid"
rc=$?
eq "$rc" 1 "exit code after SIGINT"
eq "$(sql i.db "SELECT group_concat(status, ' ') FROM runs")" interrupted "runs stored"
expect_err "interrupted"
sleep 0.2
pgrep -f "benchaas-worker.*$TMP" >/dev/null && fail "a worker outlived the interrupt"
exit 0
