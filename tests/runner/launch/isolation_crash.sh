# A plugin that dies of SIGSEGV is recorded as crashed with "signal 11", the
# runner goes on with the next point of the sweep, and exits 1.
. "$TEST_LIB" || exit 1
# Under AddressSanitizer the SIGSEGV must reach the runner as a signal, not as
# ASan's report and exit 1 (the crash is the point of this test).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0"
expect_rc 1 bx run trivial -p mode=crash,ok --db c.db
expect_err "crashed"
expect_err "signal 11"
eq "$(sql c.db "SELECT status FROM runs WHERE json_extract(params_json, '\$.mode')='crash'")" crashed "status of the crashing point"
sql c.db "SELECT error FROM runs WHERE status='crashed'" | grep -q "signal 11" || fail "the error does not name signal 11"
eq "$(sql c.db "SELECT status FROM runs WHERE json_extract(params_json, '\$.mode')='ok'")" ok "the next point ran"
eq "$(sql c.db "SELECT count(*) FROM results WHERE metric='echo' AND status='ok'")" 1 "metrics of the next point"
# the same across two experiments of a configuration
cat > c.cfg <<'CFG'
experiments = (
  { name = "bad"; plugin = "trivial"; params = { mode = "crash"; }; },
  { name = "good"; plugin = "trivial"; }
);
CFG
expect_rc 1 bx run c.cfg --db d.db
eq "$(sql d.db "SELECT group_concat(experiment || '=' || status, ' ') FROM (SELECT * FROM runs ORDER BY id)")" "bad=crashed good=ok" "statuses"
exit 0
