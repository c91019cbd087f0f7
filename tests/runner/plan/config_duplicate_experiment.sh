# Two experiments with the same name are refused, naming both lines; nothing
# is written.
. "$TEST_LIB" || exit 1
cat > c.cfg <<'CFG'
experiments = (
  { name = "a"; plugin = "trivial"; },
  { name = "b"; plugin = "trivial"; },
  { name = "a";
    plugin = "trivial"; params = { count = 2; }; }
);
CFG
expect_rc 2 bx run c.cfg --db x.db
expect_err "experiment name 'a' is used twice"
expect_err "c.cfg:5"
expect_err "c.cfg:2"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
