# Plugins are searched in --plugin-path first, then BENCHAAS_PLUGIN_PATH (in its
# order): the plugin actually run is the first one found.
. "$TEST_LIB" || exit 1
G=$(realpath "$BENCHAAS_TEST_PLUGINS/good")
U=$(realpath "$BENCHAAS_TEST_PLUGINS/dup")
used() { sql "$1" "SELECT json_extract(spec_json, '\$.plugin_path') FROM runs"; }
BENCHAAS_PLUGIN_PATH=$G expect_rc 0 bx run trivial --plugin-path "$U" --db a.db
eq "$(used a.db)" "$U/trivial.so" "--plugin-path before BENCHAAS_PLUGIN_PATH"
BENCHAAS_PLUGIN_PATH=$U expect_rc 0 bx run trivial --plugin-path "$G" --db b.db
eq "$(used b.db)" "$G/trivial.so" "--plugin-path before BENCHAAS_PLUGIN_PATH"
BENCHAAS_PLUGIN_PATH=$U:$G expect_rc 0 bx run trivial --db c.db
eq "$(used c.db)" "$U/trivial.so" "BENCHAAS_PLUGIN_PATH in its order"
BENCHAAS_PLUGIN_PATH=$G:$U expect_rc 0 bx run trivial --db d.db
eq "$(used d.db)" "$G/trivial.so" "BENCHAAS_PLUGIN_PATH in its order"
# describe follows the same order
BENCHAAS_PLUGIN_PATH=$G expect_rc 0 bx describe trivial --plugin-path "$U"
expect_out "$U/trivial.so"
exit 0
