# A plugin whose descriptor name ('trivial') differs from its file name
# (misnamed.so) is refused; it does not shadow the real 'trivial' either.
. "$TEST_LIB" || exit 1
D=$(realpath "$BENCHAAS_TEST_PLUGINS/misnamed")
expect_rc 0 bx plugins --plugin-path "$D"
expect_err "refused $D/misnamed.so"
expect_err "does not match the file name"
grep -q "$D" "$TMP/out" && fail "the refused plugin is listed"
expect_rc 2 bx run misnamed --plugin-path "$D" --db x.db
expect_err "$D/misnamed.so"
expect_err "does not match the file name"
[ -e x.db ] || [ -e x.db.spool ] && fail "a refused plugin's run wrote x.db"
exit 0
