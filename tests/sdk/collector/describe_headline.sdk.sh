# describe lists a plugin's headline metrics: those it marks
# (BX_METRIC_HEADLINE), else its first metric.
. "$TEST_LIB" || exit 1
expect_rc 0 bx describe trap --plugin-path "$SDK_TEST_PLUGINS/trap"
expect_out "headline: rate"
expect_rc 0 bx describe trivial
expect_out "headline: rate"
if bx plugins 2>/dev/null | grep -q '^stream '; then
    expect_rc 0 bx describe stream
    expect_out "headline: triad"
    expect_rc 0 bx describe ior
    expect_out "headline: write_bw read_bw"
fi
exit 0
