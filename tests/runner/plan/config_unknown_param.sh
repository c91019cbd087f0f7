# An unknown parameter in a configuration is refused with file:line, the plugin
# and a did-you-mean, as docs/cli.md shows; nothing is written.
. "$TEST_LIB" || exit 1
cat > c.cfg <<'CFG'
experiments = (
  { name = "a"; plugin = "trivial";
    params = {
      value = 1.5;
      cuont = 5;
    }; }
);
CFG
expect_rc 2 bx run c.cfg --db x.db
expect_err "c.cfg:5:"
expect_err "unknown parameter 'cuont' for plugin trivial"
expect_err "did you mean 'count'?"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
