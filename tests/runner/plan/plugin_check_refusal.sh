# A plugin's check() refusing a point is bad input: exit 2 with its message,
# and nothing of the sweep runs (check() runs for every point first).
. "$TEST_LIB" || exit 1
expect_rc 2 bx run trivial -p count=13 --db x.db
expect_err "count = 13 is refused by the plugin's check"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
expect_rc 2 bx run trivial -p count=1,2,13 --db x.db
expect_err "count=13"
expect_err "refused by the plugin's check"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written: the first points ran"
printf 'experiments = (\n  { plugin = "trivial";\n    params = { count = 13; }; } );\n' > c.cfg
expect_rc 2 bx run c.cfg --db x.db
expect_err "c.cfg:"
expect_err "refused by the plugin's check"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
