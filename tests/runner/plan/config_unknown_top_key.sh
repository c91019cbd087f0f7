# An unknown top-level setting is refused with file:line and a did-you-mean (or
# the list of allowed settings); nothing is written.
. "$TEST_LIB" || exit 1
cat > c.cfg <<'CFG'
experiments = ( { plugin = "trivial"; } );

databse = "other.db";
CFG
expect_rc 2 bx run c.cfg --db x.db
expect_err "c.cfg:3: unknown setting 'databse'"
expect_err "did you mean 'database'?"
cat > d.cfg <<'CFG'
experiments = ( { plugin = "trivial"; } );
frobnicate = 1;
CFG
expect_rc 2 bx run d.cfg --db x.db
expect_err "d.cfg:2: unknown setting 'frobnicate'"
expect_err "experiments"   # the allowed settings are listed
[ -e x.db ] || [ -e x.db.spool ] || [ -e other.db ] && fail "a database was written"
exit 0
