# A plugin whose descriptor struct_size (16) is smaller than the ABI's is
# refused, naming the file and "struct_size 16"; running it exits 2.
. "$TEST_LIB" || exit 1
D=$(realpath "$BENCHAAS_TEST_PLUGINS/small")
expect_rc 0 bx plugins --plugin-path "$D"
expect_err "refused $D/smallstruct.so"
expect_err "struct_size 16"
grep -q smallstruct "$TMP/out" && fail "the refused plugin is listed"
expect_rc 2 bx run smallstruct --plugin-path "$D" --db x.db
expect_err "$D/smallstruct.so"
expect_err "struct_size 16"
[ -e x.db ] || [ -e x.db.spool ] && fail "a refused plugin's run wrote x.db"
exit 0
