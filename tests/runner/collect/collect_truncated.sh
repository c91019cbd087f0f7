# A truncated result document in the spool is refused by collect with a reason
# naming the file: nothing stored, the file kept for inspection, exit 1.
. "$TEST_LIB" || exit 1
expect_rc 0 bx run trivial --keep-spool --db a.db
mkdir b.db.spool
doc=b.db.spool/$(basename "$(ls a.db.spool/*.result.json)")
head -c 200 a.db.spool/*.result.json > "$doc"
expect_rc 1 bx collect --db b.db
expect_err "not ingested"
expect_err "$doc"
expect_err "truncated"
eq "$(sql b.db "SELECT count(*) FROM runs")" 0 "runs stored"
[ -f "$doc" ] || fail "the refused document was removed"
# a document that is JSON but not a result document
echo '{"hello": 1}' > b.db.spool/x.result.json
rm "$doc"
expect_rc 1 bx collect --db b.db
expect_err "x.result.json"
expect_err "not a BenchaaS result document"
eq "$(sql b.db "SELECT count(*) FROM runs")" 0 "runs stored"
exit 0
