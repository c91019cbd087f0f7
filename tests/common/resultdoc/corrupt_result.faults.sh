# A worker that leaves a truncated, garbled, foreign or malformed result
# document: the runner refuses it with the reason, records the run `crashed`
# with that reason (none of the document's metrics), keeps the document as
# .rejected for inspection, exits 1 — and the next point runs normally.
. "$TEST_LIB" || exit 1
. "$BENCHAAS_SOURCE/tests/faults/lib/faults.sh" || exit 1
command -v sqlite3 >/dev/null || skip "no sqlite3"
# A stand-in for benchaas-worker: writes the document $FAKE_KIND asks for to
# the path the spec names, then exits 0 as if all went well.
cat >"$TMP/fakeworker" <<'SH'
#!/bin/bash
field() { sqlite3 :memory: "SELECT json_extract(CAST(readfile('$1') AS TEXT), '\$.$2')"; }
res=$(field "$1" result) uuid=$(field "$1" uuid)
ok='"plugin":"faulty","status":"ok","metrics":{"echo":{"value":99,"unit":"","better":"none"}}'
case $FAKE_KIND in
    truncated) printf '{"result_version":1,"uuid":"%s",%s' "$uuid" "$ok" | head -c 90 >"$res" ;;
    garbage)   head -c 3000 /dev/urandom >"$res" ;;
    empty)     : >"$res" ;;
    foreign)   printf '{"result_version":1,"uuid":"00000000-0000-4000-8000-000000000000",%s}' "$ok" >"$res" ;;
    version)   printf '{"result_version":2,"uuid":"%s",%s}' "$uuid" "$ok" >"$res" ;;
    status)    printf '{"result_version":1,"uuid":"%s","plugin":"faulty","status":"great","metrics":{"echo":{"value":99}}}' "$uuid" >"$res" ;;
    metric)    printf '{"result_version":1,"uuid":"%s","plugin":"faulty","status":"ok","metrics":{"echo":{"value":"99"}}}' "$uuid" >"$res" ;;
    twice)     printf '{"result_version":1,"uuid":"%s",%s,"samples":{"echo":[[1,0,1],[1,0,2]]}}' "$uuid" "$ok" >"$res" ;;
    huge)      truncate -s 100M "$res" ;;   # sparse: 100 MB without the disk
esac
exit 0
SH
chmod +x "$TMP/fakeworker"
check() { # KIND REASON
    rm -f x.db; rm -rf x.db.spool
    local t0=$SECONDS
    FAKE_KIND=$1 BENCHAAS_WORKER="$TMP/fakeworker" expect_rc 1 bx run faulty --db x.db
    [ $((SECONDS - t0)) -le 10 ] || fail "$1: took $((SECONDS - t0)) s"
    expect_err "$2"
    eq "$(sql x.db "SELECT status FROM runs")" crashed "$1: status"
    case "$(sql x.db "SELECT error FROM runs")" in
        *"$2"*) ;; *) fail "$1: the stored error lacks '$2': $(sql x.db "SELECT error FROM runs")" ;;
    esac
    eq "$(sql x.db "SELECT count(*) FROM metrics WHERE name='echo'")" 0 "$1: metrics of the refused document"
    eq "$(ls x.db.spool/*.result.json.rejected 2>/dev/null | wc -l)" 1 "$1: the document kept as .rejected"
    eq "$(ls x.db.spool/*.result.json 2>/dev/null | wc -l)" 0 "$1: documents left for collect"
    expect_rc 0 bx collect --db x.db
    eq "$(sql x.db "SELECT count(*) FROM runs")" 1 "$1: runs after collect"
}
check truncated "truncated"
check garbage "not a valid JSON"
check empty "not a valid JSON"
check foreign "names run 00000000-0000-4000-8000-000000000000"
check version "not a BenchaaS result document"
check status "status 'great'"
check metric "metric 'echo' must be"
check twice "UNIQUE constraint failed"
check huge "too large"
# The real worker afterwards: the next run is fine.
expect_rc 0 bx run faulty -p value=5 --db x.db
eq "$(sql x.db "SELECT value FROM results WHERE metric='echo'")" 5.0 "a normal run after the refused ones"
exit 0
