# -p belongs to `run PLUGIN`: with a configuration file it is refused (exit 2),
# as is --only with a plugin; nothing is written.
. "$TEST_LIB" || exit 1
printf 'experiments = ( { plugin = "trivial"; } );\n' > c.cfg
expect_rc 2 bx run c.cfg -p count=5 --db x.db
expect_err "-p"
expect_rc 2 bx run trivial --only x --db x.db
expect_err "--only"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
