# --version prints the version, the plugin ABI (as in plugin.h) and the
# libraries it was built with; exit 0.
. "$TEST_LIB" || exit 1
H="$BENCHAAS_SOURCE/sdk/include/benchaas/plugin.h"
abi=$(sed -n 's/^#define BX_ABI_MAJOR \([0-9]*\).*/\1/p' "$H").$(sed -n 's/^#define BX_ABI_MINOR \([0-9]*\).*/\1/p' "$H")
expect_rc 0 bx --version
grep -Eq '^benchaas [0-9]+\.[0-9]+\.[0-9]+' "$TMP/out" || fail "no version number"
expect_out "ABI $abi"
expect_out "SQLite $(sqlite3 :memory: 'SELECT sqlite_version()' | cut -d. -f1)"
expect_out "libconfig"
expect_out "cJSON"
exit 0
