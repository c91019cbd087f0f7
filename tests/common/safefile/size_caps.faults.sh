# Every document BenchaaS reads has a size cap, checked before it is read: a
# 100 MB result document (collect), run spec (worker), configuration file
# (run), SQL text (sql -) or HPL.dat (the hpl plugin, when built) is refused
# within seconds with the reason, and nothing is stored.
. "$TEST_LIB" || exit 1
. "$BENCHAAS_SOURCE/tests/faults/lib/faults.sh" || exit 1
quick() { # LIMIT_SECONDS CODE CMD...: expect_rc within the time limit
    local lim=$1 t0=$SECONDS; shift
    expect_rc "$@"
    [ $((SECONDS - t0)) -le "$lim" ] || fail "took $((SECONDS - t0)) s: ${*:2}"
}
expect_rc 0 bx run faulty --db c.db
# collect: the document stays where it is, for inspection
u=00000000-0000-4000-8000-00000000beef
truncate -s 100M c.db.spool/$u.result.json
quick 10 1 bx collect --db c.db
expect_err "$u.result.json is too large"
eq "$(sql c.db 'SELECT count(*) FROM runs')" 1 "runs after collecting a 100 MB document"
[ -f c.db.spool/$u.result.json ] || fail "the refused document was removed"
rm c.db.spool/$u.result.json
# worker: a 100 MB spec
truncate -s 100M big.spec.json
quick 10 2 bx worker big.spec.json
expect_err "too large"
# run: a 100 MB configuration file
{ echo 'experiments = ( { plugin = "faulty"; } );'; } > big.cfg
truncate -s 100M big.cfg
quick 10 2 bx run big.cfg --db c.db
expect_err "too large"
eq "$(sql c.db 'SELECT count(*) FROM runs')" 1 "runs after a 100 MB configuration"
# sql: 100 MB of SQL on standard input
head -c 100000000 /dev/zero | tr '\0' ' ' > big.sql
quick 20 2 bx sql --db c.db - < big.sql
expect_err "larger than 16 MiB"
# the hpl plugin's HPL.dat import, when the plugin is there
if bx describe hpl >/dev/null 2>&1; then
    { printf 'title\n'; head -c 100000000 /dev/zero | tr '\0' 'x'; } > big.dat
    quick 20 2 bx run hpl -p hpl_dat="$TMP/big.dat" --dry-run
    expect_err "big.dat"
fi
exit 0
