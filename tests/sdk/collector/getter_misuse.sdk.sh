# An ABI 1.2 plugin that asks for an undeclared parameter, or reads one with
# the getter of another type, fails its run in the worker, with a message
# naming the parameter and the plugin (before 1.2: a line on stderr, or
# nothing, and the run went on with 0).
. "$TEST_LIB" || exit 1
export BENCHAAS_PLUGIN_PATH="$SDK_TEST_PLUGINS/trap"
expect_rc 1 bx run trap -p mode=misspelt --db t.db
eq "$(sql t.db "SELECT status FROM runs")" failed "status of the misspelt run"
err=$(sql t.db "SELECT error FROM runs")
case $err in *"plugin trap asked for undeclared parameter 'sise' (did you mean 'size'?)"*) ;;
    *) fail "error of the misspelt run: $err" ;; esac
expect_rc 1 bx run trap -p mode=wrongtype --db w.db
err=$(sql w.db "SELECT error FROM runs")
case $err in *"plugin trap called bx_param_int on parameter 'ratio', which is of type double"*) ;;
    *) fail "error of the wrong-type run: $err" ;; esac
expect_rc 0 bx run trap --db ok.db
eq "$(sql ok.db "SELECT status FROM runs")" ok "the same plugin, used right"
exit 0
