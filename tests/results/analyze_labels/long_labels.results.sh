# The config column of `compare` and `check` tables holds the whole label, however
# long (it was once cut at 95 / 119 bytes in the table while CSV/JSON had it all).
. "$TEST_LIB"
. "$RESULTS_LIB"
LP1='{"alpha_parameter":{"value":"1","type":"int"},"beta_parameter":{"value":"2","type":"int"},"gamma_parameter":{"value":"3","type":"int"},"delta_parameter":{"value":"4","type":"int"},"epsilon_parameter":{"value":"5","type":"int"}}'
LP2='{"alpha_parameter":{"value":"10","type":"int"},"beta_parameter":{"value":"20","type":"int"},"gamma_parameter":{"value":"30","type":"int"},"delta_parameter":{"value":"40","type":"int"},"epsilon_parameter":{"value":"50","type":"int"}}'
doc l.db l1 2026-10-01T10:00:00Z node01 "$LP1" gflops 100 "100 101 99" ok '["A"]'
doc l.db l2 2026-10-02T10:00:00Z node01 "$LP2" gflops 90 "90 91 89" ok '["B"]'
ingest l.db
full="alpha_parameter=1 beta_parameter=2 gamma_parameter=3 delta_parameter=4 epsilon_parameter=5 -> alpha_parameter=10 beta_parameter=20 gamma_parameter=30 delta_parameter=40 epsilon_parameter=50"
expect_rc 0 bx compare tag:A tag:B --db l.db
grep -qF "hpl     $full  gflops" "$TMP/out" || { cat "$TMP/out"; fail "compare: the config label is not whole"; }
# check over both configurations: each row is labelled with its own parameters (shorter
# than the old 119-byte cut, so this only checks the label is there)
bx check --db l.db --min-history 1 >"$TMP/out" 2>"$TMP/err"
grep -qF "alpha_parameter=10 beta_parameter=20 gamma_parameter=30 delta_parameter=40 epsilon_parameter=50" "$TMP/out" ||
    { cat "$TMP/out" "$TMP/err"; fail "check: the config label is cut"; }
exit 0
