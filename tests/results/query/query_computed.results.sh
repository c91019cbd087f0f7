# query --format json shows what a plugin computed for a parameter left unset: STREAM's
# array_size (from the cache size) is in "computed", not in "params" (the configuration).
. "$TEST_LIB" || exit 1
expect_rc 0 bx run stream -p ntimes=2 --db c.db
expect_rc 0 bx query --db c.db --format json
j() { sqlite3 :memory: "SELECT $1 FROM (SELECT readfile('$TMP/out') AS d)"; }
eq "$(j "json_type(d, '\$.runs[0].computed.array_size')")" integer "computed.array_size"
eq "$(j "json_extract(d, '\$.runs[0].computed.array_size') > 1000000")" 1 "a computed size"
eq "$(j "json_type(d, '\$.runs[0].params.array_size')")" "" "array_size is not a parameter as set"
eq "$(j "json_extract(d, '\$.runs[0].params.ntimes')")" 2 "params.ntimes"
