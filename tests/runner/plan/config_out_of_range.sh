# A parameter or setting out of its range in a configuration is refused with
# file:line and the allowed range; nothing is written.
. "$TEST_LIB" || exit 1
cat > c.cfg <<'CFG'
experiments = (
  { name = "a"; plugin = "trivial";
    params = { count = [5, 0]; }; }
);
CFG
expect_rc 2 bx run c.cfg --db x.db
expect_err "c.cfg:3:"
expect_err "out of range"
expect_err "1 .. 100000000"
cat > d.cfg <<'CFG'
defaults = { repetitions = 3; };
experiments = (
  { name = "a"; plugin = "trivial";
    timeout = -1; }
);
CFG
expect_rc 2 bx run d.cfg --db x.db
expect_err "d.cfg:4:"
expect_err "'timeout' = -1 is out of range"
cat > e.cfg <<'CFG'
defaults = {
  repetitions = 0; };
experiments = ( { plugin = "trivial"; } );
CFG
expect_rc 2 bx run e.cfg --db x.db
expect_err "e.cfg:2: 'repetitions' = 0 is out of range"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
