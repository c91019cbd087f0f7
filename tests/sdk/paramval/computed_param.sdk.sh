# A value the plugin computed for an unset parameter (bx_param_computed) is
# stored as a parameter, marked computed in the result document: a query for
# it finds the run, while the run's configuration (params_json) stays what
# the user asked for.
. "$TEST_LIB" || exit 1
export BENCHAAS_PLUGIN_PATH="$SDK_TEST_PLUGINS/trap"
expect_rc 0 bx run trap -p mode=computed --repetitions 1 --db t.db --json
eq "$(sql t.db "SELECT value FROM params WHERE name='auto'")" 4096 "computed auto in the params table"
eq "$(sql t.db "SELECT CAST(value AS INTEGER) FROM metrics WHERE name='seen_auto'")" 4096 "the getter returned it"
eq "$(sql t.db "SELECT json_type(params_json, '\$.auto') IS NULL FROM runs")" 1 "auto not in params_json"
expect_rc 0 bx query -p auto=4096 --format csv --db t.db
[ "$(grep -c trap "$TMP/out")" -ge 1 ] || fail "query -p auto=4096 does not find the run"
expect_rc 0 bx query -p auto=4095 --format csv --db t.db
grep -q trap "$TMP/out" && fail "query -p auto=4095 finds the run"
# bx_param_isset() tells the plugin the user did not set it
isset=$(sql t.db "SELECT value FROM run_meta WHERE key='auto_isset'")
eq "$isset" 0 "isset stays 0 for a computed value"
exit 0
