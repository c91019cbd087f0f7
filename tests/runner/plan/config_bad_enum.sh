# A value that is not one of an enum parameter's choices is refused with
# file:line and the choices; so is a launcher or sweep that does not exist.
. "$TEST_LIB" || exit 1
cat > c.cfg <<'CFG'
experiments = (
  { name = "a"; plugin = "trivial";
    params = { mode = "explode"; }; }
);
CFG
expect_rc 2 bx run c.cfg --db x.db
expect_err "c.cfg:3:"
expect_err "'explode' for 'mode' is not allowed (one of: ok, crash, abort, hang, exit, fail, error)"
cat > d.cfg <<'CFG'
experiments = (
  { plugin = "trivial";
    launcher = "ssh"; }
);
CFG
expect_rc 2 bx run d.cfg --db x.db
expect_err "d.cfg:3: launcher 'ssh' is not one of local, mpi, slurm"
cat > e.cfg <<'CFG'
experiments = (
  { plugin = "trivial";
    sweep = "diagonal"; }
);
CFG
expect_rc 2 bx run e.cfg --db x.db
expect_err "e.cfg:3: sweep 'diagonal'"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
