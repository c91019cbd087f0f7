# Every experiment of a configuration is validated before any runs: an error in
# the last one means the first ones do not run either (exit 2, no database).
. "$TEST_LIB" || exit 1
cat > c.cfg <<'CFG'
experiments = (
  { name = "first"; plugin = "trivial"; params = { count = [1, 2]; }; },
  { name = "second"; plugin = "trivial"; params = { count = 3; }; },
  { name = "broken"; plugin = "trivial";
    params = { mode = ["ok", "nonsense"]; }; }
);
CFG
expect_rc 2 bx run c.cfg --db x.db
expect_err "c.cfg:5:"
expect_err "'nonsense'"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written: something ran"
exit 0
