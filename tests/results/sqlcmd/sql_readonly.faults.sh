# `benchaas sql` cannot write: statements that would change the database or
# create files (DELETE, DROP, a second statement after a SELECT, ATTACH,
# VACUUM INTO, writing PRAGMAs, temporary tables, extensions) are refused
# with exit 2; the file and its folder stay as they were.
. "$TEST_LIB" || exit 1
bx run trivial --db q.db >/dev/null 2>&1 || fail "setup run"
before=$(sha256sum q.db)
# what a reader may leave: the WAL index files (SQLite's, empty), our out/err
files() { ls | grep -vxE 'q\.db-(wal|shm)|out|err'; }
files=$(files)
for s in "DELETE FROM runs" "DROP TABLE runs" "UPDATE runs SET status='ok'" \
         "SELECT 1; DROP TABLE runs" "INSERT INTO tags VALUES (1, 'x')" \
         "ATTACH 'evil.db' AS e" "VACUUM INTO 'copy.db'" "VACUUM" \
         "PRAGMA user_version = 99" "PRAGMA journal_mode = DELETE" \
         "CREATE TEMP TABLE t(x)" "CREATE VIEW v AS SELECT 1" \
         "SELECT load_extension('/tmp/x.so')" "REINDEX" "ANALYZE" \
         "SELECT writefile('pwned', 'x')" "WITH x AS (SELECT 1) DELETE FROM runs"; do
    expect_rc 2 bx sql --db q.db "$s"
done
eq "$(sha256sum q.db)" "$before" "the database file"
eq "$(files)" "$files" "files in the folder"
eq "$(sql q.db 'SELECT count(*) FROM runs')" 1 "runs"
# reading works (the test can fail)
expect_rc 0 bx sql --db q.db --format csv "SELECT count(*) AS n FROM results"
expect_out "9" # seven metrics of the plugin and the runner, node_peak_rss, job_peak_rss
exit 0
