# Progress goes to stderr: a line per point with its status and elapsed time
# with --progress; nothing when stderr is not a terminal (the default here).
. "$TEST_LIB" || exit 1
expect_rc 0 bx run trivial -p count=1,2 --db p.db
eq "$(wc -c <"$TMP/err")" 0 "stderr without --progress"
expect_rc 0 bx run trivial -p count=1,2 --progress --db p.db
grep -q '^\[1/2\] .*count=1.*running' "$TMP/err" || fail "no line for the start of point 1"
grep -Eq '^\[2/2\] .*count=2.*ok in [0-9.]+ s' "$TMP/err" || fail "no line with the end and time of point 2"
grep -q '^\[' "$TMP/out" && fail "progress on stdout"
expect_rc 0 bx run trivial --progress --quiet --db p.db
eq "$(wc -c <"$TMP/err")" 0 "stderr with --quiet"
exit 0
