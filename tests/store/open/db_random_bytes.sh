# A --db of random bytes is not ours: exit 2, unchanged byte-for-byte, no
# spool folder or journal written next to it.
. "$TEST_LIB" || exit 1
mkdir w && cd w || fail "mkdir"
head -c 8192 /dev/urandom > blob.db
cp blob.db ../orig
expect_rc 2 bx run trivial --db blob.db
expect_err "blob.db"
expect_err "not a BenchaaS database"
cmp -s blob.db ../orig || fail "run changed blob.db"
eq "$(ls -A | tr '\n' ' ')" "blob.db " "files after run"
# also through BENCHAAS_DB and in a configuration's database setting
BENCHAAS_DB=blob.db expect_rc 2 bx run trivial
printf 'database = "blob.db";\nexperiments = ( { plugin = "trivial"; } );\n' > ../c.cfg
expect_rc 2 bx run ../c.cfg
cmp -s blob.db ../orig || fail "run changed blob.db"
eq "$(ls -A | tr '\n' ' ')" "blob.db " "files after run"
exit 0
