# query filters by --plugin, --status (one or a list), -p and --metric; a
# filter matching nothing is not an error; bad filters exit 2.
. "$TEST_LIB" || exit 1
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0"  # the crash stays a signal
bx run trivial -p mode=ok,fail,crash --db q.db >/dev/null 2>&1
runs() { cut -d, -f1 "$TMP/out" | grep -v '^run_id$' | sort -un | tr '\n' ' '; }
expect_rc 0 bx query --db q.db --format csv
eq "$(runs)" "1 2 3 " "all runs"
expect_rc 0 bx query --db q.db --plugin trivial --format csv
eq "$(runs)" "1 2 3 " "--plugin trivial"
expect_rc 0 bx query --db q.db --status failed --format csv
eq "$(runs)" "2 " "--status failed"
expect_rc 0 bx query --db q.db --status ok,crashed --format csv
eq "$(runs)" "1 3 " "--status ok,crashed"
expect_rc 0 bx query --db q.db -p mode=fail --format csv
eq "$(runs)" "2 " "-p mode=fail"
expect_rc 0 bx query --db q.db --metric echo --format json
eq "$(sqlite3 :memory: "SELECT group_concat(DISTINCT m.key) FROM json_each(readfile('$TMP/out'), '\$.runs') r, json_each(r.value, '\$.metrics') m")" \
   echo "--metric echo shows only echo"
expect_rc 0 bx query --db q.db --plugin nosuch --format csv
eq "$(runs)" "" "--plugin nosuch"
expect_rc 2 bx query --db q.db --status bogus
expect_err "bogus"
expect_rc 2 bx query --db q.db --format xml
expect_err "xml"
# a missing database is an error and is not created
expect_rc 2 bx query --db none.db
[ -e none.db ] && fail "query created none.db"
exit 0
