# A plugin's bx_warn() lines and bx_meta() pairs are stored with the run, and
# its provenance records where it ran.
. "$TEST_LIB" || exit 1
expect_rc 0 bx run trivial -p flag=true -p label=hello --db w.db
expect_err "flag is set"
eq "$(sql w.db "SELECT text FROM warnings")" "flag is set (a warning stored with the run)" "warning"
eq "$(sql w.db "SELECT value FROM run_meta WHERE key='label'")" hello "meta"
for k in hostname cpu_model cores memory_bytes kernel benchaas_version git_revision; do
    [ -n "$(sql w.db "SELECT value FROM provenance WHERE key='$k'")" ] || fail "provenance lacks $k"
done
eq "$(sql w.db "SELECT value FROM provenance WHERE key='cores'")" "$(getconf _NPROCESSORS_ONLN)" "cores"
exit 0
