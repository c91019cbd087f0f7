# A --db that is another application's SQLite database (even one with a 'runs'
# table) is refused: exit 2, the file byte-for-byte unchanged, nothing added.
. "$TEST_LIB" || exit 1
mkdir w && cd w || fail "mkdir"
sqlite3 other.db "CREATE TABLE runs(id INTEGER PRIMARY KEY, x TEXT); INSERT INTO runs(x) VALUES ('theirs');"
sqlite3 app.db "PRAGMA application_id = 12345; CREATE TABLE t(x);"
cp other.db ../other.orig
cp app.db ../app.orig
for f in other app; do
    for cmd in "run trivial" "query" "collect"; do
        # shellcheck disable=SC2086
        expect_rc 2 bx $cmd --db $f.db
        expect_err "$f.db"
        expect_err "another application"
        cmp -s $f.db ../$f.orig || fail "$cmd changed $f.db"
    done
done
eq "$(ls -A | tr '\n' ' ')" "app.db other.db " "files present"
eq "$(sqlite3 other.db "SELECT x FROM runs")" theirs "their data"
exit 0
