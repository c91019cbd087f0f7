# A selection by tag and time (`query --tag T --since D`, `check --tag T --since 30d`)
# walks the time window and tests each run's tags when the window holds fewer runs than
# the tag, and lists the tag's runs otherwise (core/results/query.c, window_drives): the
# same runs either way, each the ones plain SQL finds.
# Fails if build_select ignores by_window (the narrow window is not walked: no
# "FROM runs r INDEXED BY runs_started" in the statements), if the walk forgets the tags
# test or the window's bounds (other runs), or if a wide window is walked too.
. "$TEST_LIB" || exit 1
gen=$BENCHAAS_BUILD/bench/store_dbgen
[ -x "$gen" ] || skip "no store_dbgen in $BENCHAAS_BUILD/bench"
# 1 200 runs over the 9 days before 2026-11-21, every tenth tagged "acceptance"
"$gen" --runs 1200 --single 0 x.db >/dev/null || fail "store_dbgen failed"
sql x.db "INSERT INTO tags(run_id, tag) SELECT id, 'rare' FROM runs WHERE id % 300 = 7" \
    || fail "could not add tags"

# want TAG SINCE UNTIL WALKED: the run ids of the query against SQL's, and whether the
# window was walked (1) or the tag's runs listed (0)
want() {
    local tag=$1 since=$2 until=$3 walked=$4 args=(--tag "$1" --since "$2")
    local cond="started_at >= '$since'"
    if [ -n "$until" ]; then
        args+=(--until "$until")
        cond="$cond AND started_at < '$until'"
    fi
    BENCHAAS_SQL_PROFILE=1 "$BENCHAAS" query --db x.db "${args[@]}" --format csv >q.csv 2>prof \
        || fail "query ${args[*]}: $(grep -v '^sql' prof | head -3)"
    awk -F, 'NR > 1 { print $1 }' q.csv | uniq >got
    sql x.db "SELECT id FROM runs WHERE $cond AND id IN (SELECT run_id FROM tags
              WHERE tag = '$tag') ORDER BY id" >expected || fail "sqlite3 failed"
    [ -s expected ] || fail "no run of tag $tag in the window: the test's own mistake"
    cmp -s got expected || { diff got expected | head; fail "${args[*]}: other runs than SQL's"; }
    local n
    n=$(grep -c "FROM runs r INDEXED BY runs_started" prof)
    [ "$n" -eq "$walked" ] || fail "${args[*]}: window walked $n times, expected $walked"
}
# a window of ~70 runs against 120 tagged: walked
want acceptance 2026-11-20T12:00:00Z "" 1
want acceptance 2026-11-18T00:00:00Z 2026-11-18T18:00:00Z 1
# the whole history against 120 tagged, and 4 rare runs against ~70: the tag's runs
want acceptance 2026-11-01 "" 0
want rare 2026-11-12 "" 0

# check takes the same selection
BENCHAAS_SQL_PROFILE=1 "$BENCHAAS" check --db x.db --tag acceptance --since 2026-11-20T12:00:00Z \
    >check.txt 2>prof
[ $? -le 1 ] || fail "check failed: $(grep -v '^sql' prof | head -3)"
grep -q "FROM runs r INDEXED BY runs_started" prof || fail "check did not walk the window"
exit 0
