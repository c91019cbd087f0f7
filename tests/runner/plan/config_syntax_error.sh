# A syntactically broken configuration is bad input: exit 2, the message names
# the file and the line of the error, and nothing is written.
. "$TEST_LIB" || exit 1
cat > c.cfg <<'CFG'
# line 1
experiments = (
  { name = "a"; plugin = "trivial";
    params = { count = 5 }
    oops } );
CFG
expect_rc 2 bx run c.cfg --db x.db
expect_err "c.cfg:5:"
expect_err "syntax error"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
# an unclosed list, at the end of the file
printf 'experiments = (\n  { plugin = "trivial"; }\n;\n' > d.cfg
expect_rc 2 bx run d.cfg --db x.db
expect_err "d.cfg:3:"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
