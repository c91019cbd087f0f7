# sweep = "zip": the lists advance together, three runs pairing the i-th values.
. "$TEST_LIB" || exit 1
cat > c.cfg <<'CFG'
experiments = (
  { name = "zipped"; plugin = "trivial"; sweep = "zip";
    params = { count = [10, 20, 30]; value = [1.0, 2.0, 3.0]; size = "2k"; }; }
);
CFG
expect_rc 0 bx run c.cfg --db z.db
eq "$(sql z.db "SELECT count(*) FROM runs WHERE status='ok'")" 3 "runs"
eq "$(sql z.db "SELECT group_concat(p, ' ') FROM (SELECT json_extract(params_json, '\$.count') || ':' || json_extract(params_json, '\$.value') AS p FROM runs ORDER BY point)")" \
   "10:1 20:2 30:3" "zipped pairs"
eq "$(sql z.db "SELECT DISTINCT json_extract(params_json, '\$.size') FROM runs")" 2048 "the scalar applies to every point"
eq "$(sql z.db "SELECT DISTINCT experiment FROM runs")" zipped "experiment name"
exit 0
