# Plugins built against the headers of ABI 1.0 and 1.1 (tests/sdk/abi/) load
# and run in today's runner as they did: the range 0 .. 0 of min = max = 0,
# lenient getters, the first metric as the headline.
. "$TEST_LIB" || exit 1
for v in abi10 abi11; do
    export BENCHAAS_PLUGIN_PATH="$SDK_TEST_PLUGINS/$v"
    expect_rc 0 bx plugins
    expect_out "$v"
    expect_out "1.${v#abi1}"
    expect_rc 0 bx run "$v" -p ratio=7.75 --db "$v.db"
    expect_err "plugin $v asked for undeclared parameter 'no_such_param'"
    eq "$(sql "$v.db" "SELECT status FROM runs")" ok "$v: status"
    eq "$(sql "$v.db" "SELECT CAST(value AS INTEGER) FROM metrics WHERE name='ratio_int'")" 7 "$v: bx_param_int of a double"
    eq "$(sql "$v.db" "SELECT CAST(value AS INTEGER) FROM metrics WHERE name='undeclared'")" 0 "$v: undeclared reads 0"
    eq "$(sql "$v.db" "SELECT count(*) FROM samples WHERE metric='first'")" 6 "$v: samples"
    eq "$(sql "$v.db" "SELECT value FROM run_meta WHERE key='built_for'")" "$v" "$v: meta"
    expect_rc 2 bx run "$v" -p zero=5 --db "$v.db"
    expect_err "out of range (allowed: 0 .. 0)"
    expect_rc 0 bx describe "$v"
    expect_out "headline: first"
done
exit 0
