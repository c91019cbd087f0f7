# A --db that is a text file is not ours: run, query and collect exit 2, say
# so, and leave it byte-for-byte unchanged with nothing written next to it.
. "$TEST_LIB" || exit 1
mkdir w && cd w || fail "mkdir"
printf 'my notes\nnot a database\n' > notes.db
cp notes.db ../orig
for cmd in "run trivial" "query" "collect"; do
    # shellcheck disable=SC2086
    expect_rc 2 bx $cmd --db notes.db
    expect_err "notes.db"
    expect_err "not a BenchaaS database"
    cmp -s notes.db ../orig || fail "$cmd changed notes.db"
    eq "$(ls -A | tr '\n' ' ')" "notes.db " "files after $cmd"
done
exit 0
