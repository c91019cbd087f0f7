# plugins --json prints {"plugins": [...]} with name, version, abi, path,
# description, needs_mpi per plugin, as docs/cli.md shows; refused files are not in it.
. "$TEST_LIB" || exit 1
G=$(realpath "$BENCHAAS_TEST_PLUGINS/good")
abi=$(sed -n 's/^#define BX_ABI_MAJOR \([0-9]*\).*/\1/p' "$BENCHAAS_SOURCE/sdk/include/benchaas/plugin.h").$(sed -n 's/^#define BX_ABI_MINOR \([0-9]*\).*/\1/p' "$BENCHAAS_SOURCE/sdk/include/benchaas/plugin.h")
expect_rc 0 bx plugins --json --plugin-path "$BENCHAAS_TEST_PLUGINS/bad_magic"
j() { sqlite3 :memory: "SELECT $1 FROM (SELECT readfile('$TMP/out') AS d)"; }
eq "$(j "json_valid(d)")" 1 "stdout is JSON"
eq "$(j "(SELECT group_concat(key) FROM json_each(d))")" plugins "top-level keys"
eq "$(j "(SELECT count(*) FROM json_each(d, '\$.plugins') WHERE json_extract(value, '\$.name') = 'trivial')")" 1 "trivial listed once"
eq "$(j "(SELECT count(*) FROM json_each(d, '\$.plugins') WHERE json_extract(value, '\$.name') = 'badmagic')")" 0 "refused plugin listed"
t="(SELECT value FROM json_each(d, '\$.plugins') WHERE json_extract(value, '\$.name') = 'trivial')"
eq "$(j "(SELECT group_concat(key, ',') FROM (SELECT key FROM json_each($t) ORDER BY key))")" \
   "abi,description,name,needs_mpi,path,version" "keys of a plugin"
eq "$(j "json_extract($t, '\$.version')")" 1.0.0 "version"
eq "$(j "json_extract($t, '\$.abi')")" "$abi" "abi"
eq "$(j "json_extract($t, '\$.path')")" "$G/trivial.so" "path"
eq "$(j "json_type($t, '\$.needs_mpi')")" false "needs_mpi"
j "json_extract($t, '\$.description')" | grep -q "trivial test plugin" || fail "description"
expect_err "refused"   # the refusal still goes to stderr
exit 0
