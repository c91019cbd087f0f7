# A misspelt setting inside an experiment is refused with file:line and a
# did-you-mean; nothing is written.
. "$TEST_LIB" || exit 1
cat > c.cfg <<'CFG'
experiments = (
  { name = "a"; plugin = "trivial";
    repetitons = 2;
    params = { count = 5; }; }
);
CFG
expect_rc 2 bx run c.cfg --db x.db
expect_err "c.cfg:3: unknown setting 'repetitons' in an experiment; did you mean 'repetitions'?"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
# also inside defaults
cat > d.cfg <<'CFG'
defaults = { threads = 1;
  timeuot = 10; };
experiments = ( { plugin = "trivial"; } );
CFG
expect_rc 2 bx run d.cfg --db x.db
expect_err "d.cfg:2: unknown setting 'timeuot'"
expect_err "did you mean 'timeout'?"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
