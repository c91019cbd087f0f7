# A value of the wrong type in a configuration (a parameter or a setting) is
# refused with file:line; nothing is written.
. "$TEST_LIB" || exit 1
cat > c.cfg <<'CFG'
experiments = (
  { name = "a"; plugin = "trivial";
    params = { value = 2.0;
               count = "many"; }; }
);
CFG
expect_rc 2 bx run c.cfg --db x.db
expect_err "c.cfg:4:"
expect_err "'count' is not an integer"
cat > d.cfg <<'CFG'
experiments = (
  { name = "a"; plugin = "trivial";
    params = { count = 1.5; }; }
);
CFG
expect_rc 2 bx run d.cfg --db x.db
expect_err "d.cfg:3:"
expect_err "not an integer"
cat > e.cfg <<'CFG'
experiments = (
  { name = "a"; plugin = "trivial";
    threads = "two"; }
);
CFG
expect_rc 2 bx run e.cfg --db x.db
expect_err "e.cfg:3: 'threads' must be an integer"
cat > f.cfg <<'CFG'
experiments = (
  { plugin = "trivial";
    params = { flag = 3; }; }
);
CFG
expect_rc 2 bx run f.cfg --db x.db
expect_err "f.cfg:3:"
expect_err "not a boolean"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
