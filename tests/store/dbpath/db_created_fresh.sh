# A --db that does not exist yet (or is an empty file) becomes a BenchaaS
# database: marked with our application_id and a schema version.
. "$TEST_LIB" || exit 1
expect_rc 0 bx run trivial --db new.db
eq "$(sql new.db "PRAGMA application_id")" "$((0x42584131))" "application_id of a new database"
[ "$(sql new.db "PRAGMA user_version")" -ge 1 ] || fail "no schema version"
eq "$(sql new.db "PRAGMA journal_mode")" wal "journal mode"
: > empty.db
expect_rc 0 bx run trivial --db empty.db
eq "$(sql empty.db "SELECT count(*) FROM runs")" 1 "runs in a database made from an empty file"
# A second run reuses the database.
expect_rc 0 bx run trivial --db new.db
eq "$(sql new.db "SELECT count(*) FROM runs")" 2 "runs after two runs"
exit 0
