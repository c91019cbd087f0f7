# sweep = "zip" with lists of different lengths is refused with file:line and
# both lengths; nothing is written.
. "$TEST_LIB" || exit 1
cat > c.cfg <<'CFG'
experiments = (
  { name = "z"; plugin = "trivial"; sweep = "zip";
    params = { count = [1, 2, 3];
               value = [1.0, 2.0]; }; }
);
CFG
expect_rc 2 bx run c.cfg --db x.db
expect_err "c.cfg:4:"
expect_err "same length"
expect_err "'value' has 2 values, an earlier list has 3"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
