# run CONFIG --only NAME runs that experiment only; an --only that names no
# experiment is bad input (exit 2, the names are listed, nothing written).
. "$TEST_LIB" || exit 1
cat > c.cfg <<'CFG'
experiments = (
  { name = "one"; plugin = "trivial"; params = { count = [1, 2]; }; },
  { name = "two"; plugin = "trivial"; params = { count = [7, 8, 9]; }; }
);
CFG
expect_rc 0 bx run c.cfg --only two --db o.db
eq "$(sql o.db "SELECT group_concat(DISTINCT experiment) FROM runs")" two "experiments run"
eq "$(sql o.db "SELECT count(*) FROM runs")" 3 "runs"
expect_rc 0 bx run c.cfg --db all.db
eq "$(sql all.db "SELECT count(*) FROM runs")" 5 "runs of the whole file"
expect_rc 2 bx run c.cfg --only three --db n.db
expect_err "--only three"
expect_err "one, two"
[ -e n.db ] || [ -e n.db.spool ] && fail "n.db written"
exit 0
