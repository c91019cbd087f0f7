# An unknown plugin inside a configuration is refused with file:line and the
# plugins that exist; nothing of the file runs, not even the valid experiments.
. "$TEST_LIB" || exit 1
cat > c.cfg <<'CFG'
experiments = (
  { name = "fine"; plugin = "trivial"; },
  { name = "typo";
    plugin = "trivail"; }
);
CFG
expect_rc 2 bx run c.cfg --db x.db
expect_err "c.cfg:4:"
expect_err "unknown plugin 'trivail'"
expect_err "available: trivial"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
