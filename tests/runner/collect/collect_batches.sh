# `collect` stores a spool of many documents in batches (core/runner/collect.c, 256
# a transaction): 600 documents cross two batch boundaries; a refused document in the
# middle of a batch is reported and left in the spool, and every other one is stored
# once and removed; each stored run is named (stderr) only once its batch is committed.
. "$TEST_LIB" || exit 1
expect_rc 0 bx run trivial -p value=5 --keep-spool --db a.db
doc=$(ls a.db.spool/*.result.json) || fail "no result document kept"
uuid=$(basename "$doc" .result.json)
mkdir b.db.spool
for i in $(seq 1 600); do
    u=$(printf 'c0ffee00-0000-4000-8000-%012d' "$i")
    sed "s/$uuid/$u/g" "$doc" >"b.db.spool/$u.result.json"
done
# document 300 names a status no run has: refused, kept
bad=b.db.spool/c0ffee00-0000-4000-8000-000000000300.result.json
sed -i 's/"status": *"ok"/"status":"great"/' "$bad"
grep -q '"great"' "$bad" || fail "the refused document was not made"
expect_rc 1 bx collect --db b.db
expect_err "000000000300.result.json"
eq "$(sql b.db "SELECT count(*) FROM runs")" 599 "runs after collect"
eq "$(sql b.db "SELECT count(DISTINCT uuid) FROM runs")" 599 "distinct runs"
eq "$(sql b.db "SELECT count(*) FROM metrics WHERE name = 'echo'")" 599 "metric rows"
eq "$(ls b.db.spool | wc -l)" 1 "files left in the spool"
[ -e "$bad" ] || fail "the refused document was removed"
eq "$(grep -c "stored run" "$TMP/err")" 599 "stored runs reported"
# again: nothing new, the refused one refused again
expect_rc 1 bx collect --db b.db
eq "$(sql b.db "SELECT count(*) FROM runs")" 599 "runs after a second collect"
eq "$(sql b.db "PRAGMA integrity_check")" ok "integrity_check"
exit 0
