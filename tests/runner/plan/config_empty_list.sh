# An empty list as a parameter's value (a sweep of nothing) is refused with
# file:line; nothing is written.
. "$TEST_LIB" || exit 1
cat > c.cfg <<'CFG'
experiments = (
  { name = "e"; plugin = "trivial";
    params = { value = 1.0;
               count = []; }; }
);
CFG
expect_rc 2 bx run c.cfg --db x.db
expect_err "c.cfg:4: 'count' is an empty list"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
