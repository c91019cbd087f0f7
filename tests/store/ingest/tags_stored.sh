# --tag labels (repeatable) and a configuration's tags are stored with every
# run of the sweep and can be queried.
. "$TEST_LIB" || exit 1
expect_rc 0 bx run trivial -p count=1,2 --tag alpha --tag beta --db t.db
eq "$(sql t.db "SELECT count(*) FROM tags WHERE tag='alpha'")" 2 "runs tagged alpha"
eq "$(sql t.db "SELECT count(*) FROM tags WHERE tag='beta'")" 2 "runs tagged beta"
eq "$(sql t.db "SELECT tags FROM runs_view WHERE run_id=1")" '["alpha","beta"]' "tags in runs_view"
cat > c.cfg <<'CFG'
defaults = { tags = ["nightly"]; };
experiments = ( { name = "x"; plugin = "trivial"; tags = ["acceptance"]; } );
CFG
expect_rc 0 bx run c.cfg --tag manual --db t.db
eq "$(sql t.db "SELECT group_concat(tag, ' ') FROM (SELECT tag FROM tags WHERE run_id=3 ORDER BY tag)")" "acceptance manual nightly" "tags of a configured run"
expect_rc 0 bx query --db t.db --tag nightly --format csv
eq "$(cut -d, -f1 "$TMP/out" | sort -u | grep -v run_id)" 3 "query --tag"
exit 0
