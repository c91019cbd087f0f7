# A 1.2 plugin's stamp (benchaas_plugin_stamp) is checked before any of its
# code runs: a bad magic there is refused without calling the entry function
# (this one aborts when called).
. "$TEST_LIB" || exit 1
D=$(realpath "$SDK_TEST_PLUGINS/badstamp")
expect_rc 0 bx plugins --plugin-path "$D"
expect_err "refused $D/badstamp.so"
expect_err "bad magic 0xdeadbeef"
expect_rc 2 bx run badstamp --plugin-path "$D" --db x.db
expect_err "bad magic"
exit 0
