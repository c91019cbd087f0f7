# --dry-run prints the run specs of every point (valid JSON, spec_version 1,
# canonical parameter values) and runs and writes nothing.
. "$TEST_LIB" || exit 1
mkdir w && cd w || fail "mkdir"
expect_rc 0 bx run trivial -p count=1,2 -p size=2k --threads 2 --tag t --dry-run --db x.db
j() { sqlite3 :memory: "SELECT $1 FROM (SELECT readfile('$TMP/out') AS d)"; }
eq "$(j "json_valid(d)")" 1 "stdout is JSON"
eq "$(j "json_array_length(d, '\$.specs')")" 2 "specs"
eq "$(j "json_extract(d, '\$.specs[1].spec_version')")" 1 "spec_version"
eq "$(j "json_extract(d, '\$.specs[1].plugin')")" trivial "plugin"
eq "$(j "json_extract(d, '\$.specs[1].params.count')")" 2 "count of the second point"
eq "$(j "json_type(d, '\$.specs[1].params.count')")" text "params are canonical text"
eq "$(j "json_extract(d, '\$.specs[0].params.size')")" 2048 "size in bytes"
eq "$(j "json_extract(d, '\$.specs[0].threads')")" 2 "threads"
eq "$(j "json_extract(d, '\$.specs[0].tags[0]')")" t "tags"
eq "$(ls -A)" "" "files written by --dry-run"
pgrep -f "benchaas-worker.*$TMP" >/dev/null && fail "a worker runs"
# a configuration too
printf 'experiments = ( { name = "e"; plugin = "trivial"; params = { count = [3, 4, 5]; }; } );\n' > ../c.cfg
expect_rc 0 bx run ../c.cfg --dry-run --db x.db
eq "$(j "json_array_length(d, '\$.specs')")" 3 "specs of the configuration"
eq "$(j "json_extract(d, '\$.specs[2].experiment')")" e "experiment"
eq "$(ls -A)" "" "files written by --dry-run"
# invalid input is still refused
expect_rc 2 bx run trivial -p count=0 --dry-run --db x.db
exit 0
