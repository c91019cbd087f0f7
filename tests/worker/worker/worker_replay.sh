# `benchaas worker SPEC.json` replays a spec kept in the spool (--keep-spool):
# it writes the result document the spec names, with the spec's uuid.
. "$TEST_LIB" || exit 1
expect_rc 0 bx run trivial -p value=7 --keep-spool --db k.db
spec=$(ls k.db.spool/*.spec.json) || fail "--keep-spool kept no spec"
res=${spec%.spec.json}.result.json
[ -f "$res" ] || fail "--keep-spool kept no result document"
uuid=$(basename "$spec" .spec.json)
eq "$(sql k.db "SELECT uuid FROM runs")" "$uuid" "uuid of the stored run"
rm "$res"
expect_rc 0 bx worker "$spec"
[ -f "$res" ] || fail "the worker wrote no result document"
[ -e "$res.tmp" ] && fail "a .tmp document is left"
j() { sqlite3 :memory: "SELECT $1 FROM (SELECT readfile('$res') AS d)"; }
eq "$(j "json_extract(d, '\$.uuid')")" "$uuid" "uuid"
eq "$(j "json_extract(d, '\$.result_version')")" 1 "result_version"
eq "$(j "json_extract(d, '\$.status')")" ok "status"
eq "$(j "json_extract(d, '\$.metrics.echo.value')")" 7 "echo"
eq "$(j "json_array_length(d, '\$.samples.rate')")" 3 "samples"
# a spec that is not one is refused with exit 2
echo '{"spec_version": 99}' > bad.spec.json
expect_rc 2 bx worker bad.spec.json
expect_rc 2 bx worker missing.spec.json
exit 0
