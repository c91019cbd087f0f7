# sql: read-only SQL against the views; anything that would write is refused
# (exit 2) before any statement runs, and the file is left as it was.
. "$TEST_LIB"
. "$RESULTS_LIB"
doc x.db a 2026-01-10T10:00:00Z node01 "$(p NB 128)" gflops 10 "9 10 8"
doc x.db b 2026-02-10T10:00:00Z node02 "$(p NB 256)" gflops 12 "11 12 10"
ingest x.db

expect_rc 0 bx sql --db x.db "SELECT run_id, host, value FROM results WHERE metric = 'gflops' ORDER BY run_id"
eq "$(sed -n 1p "$TMP/out" | tr -s ' ')" "run_id host value" "table header"
eq "$(wc -l <"$TMP/out")" 3 "table lines"
expect_rc 0 bx sql --db x.db --format csv "SELECT host, value FROM results WHERE metric = 'gflops' ORDER BY host"
eq "$(cat "$TMP/out")" "host,value
node01,10
node02,12" "csv"
expect_rc 0 bx sql --db x.db --format json "SELECT host, value, NULL AS empty FROM results WHERE metric = 'gflops' ORDER BY host"
expect_out '{"columns": ["host","value","empty"], "rows": ['
expect_out '["node01",10,null]'
expect_rc 0 bx sql --db x.db --format jsonl "SELECT json_extract(params, '\$.NB') AS nb, count(*) AS n FROM results GROUP BY nb ORDER BY nb"
eq "$(cat "$TMP/out")" '{"nb":128,"n":2}
{"nb":256,"n":2}' "jsonl"
# several statements, the SQL from standard input, BENCHAAS_DB
echo "SELECT count(*) AS runs FROM runs_view; SELECT count(*) AS samples FROM samples_view;" |
    BENCHAAS_DB=x.db bx sql --format csv - >"$TMP/out" 2>"$TMP/err" || fail "sql from stdin"
eq "$(cat "$TMP/out")" "runs
2
samples
6" "two statements"

# writes are refused; the database file does not change
before=$(md5sum x.db | cut -d' ' -f1)
for stmt in "DELETE FROM runs" "UPDATE metrics SET value = 0" "INSERT INTO tags VALUES (1, 'x')" \
            "DROP TABLE tags" "DROP VIEW results" "CREATE TABLE t(x)" "CREATE TEMP TABLE t(x)" \
            "ALTER TABLE runs ADD COLUMN x" "PRAGMA user_version = 9" "PRAGMA journal_mode = DELETE" \
            "ATTACH 'other.db' AS o" "VACUUM" "REINDEX" \
            "SELECT 1; DELETE FROM runs" "WITH x AS (SELECT 1) DELETE FROM runs"; do
    expect_rc 2 bx sql --db x.db "$stmt"
    expect_err "refused"
    [ ! -s "$TMP/out" ] || fail "'$stmt' printed something: $(cat "$TMP/out")"
done
eq "$(md5sum x.db | cut -d' ' -f1)" "$before" "the database is unchanged"
[ -e other.db ] && fail "ATTACH created a file"
eq "$(sqlite3 x.db 'SELECT count(*) FROM runs')" 2 "runs still there"

# other bad input
expect_rc 2 bx sql --db x.db "SELECT * FROM nosuch"
expect_err "no such table: nosuch"
expect_rc 2 bx sql --db x.db "SELEC 1"
expect_err "syntax error"
expect_rc 2 bx sql --db x.db "   -- only a comment"
expect_err "no SQL statement"
expect_rc 2 bx sql --db missing.db "SELECT 1"
expect_err "no database at 'missing.db'"
[ -e missing.db ] && fail "sql created a database"
echo "not a database" >notes.txt
expect_rc 2 bx sql --db notes.txt "SELECT 1"
expect_err "not a BenchaaS database"
expect_rc 2 bx sql --db x.db
expect_err "which SQL?"
exit 0
