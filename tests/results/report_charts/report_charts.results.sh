# The report's chart choices: headline metrics first and the rest behind
# "more metrics"; a metric with one value per configuration is a table row,
# not a chart; a sweep over a categorical parameter is dots without a line;
# a numeric sweep spanning more than a decade is on a log axis; every chart's
# axis says the unit and which direction is better.
. "$TEST_LIB"
. "$RESULTS_LIB"
ior_docs x.db
# a plugin whose every configuration ran once: single points become table rows
doc x.db one 2026-11-05T10:00:00Z n1 "$(p NB 192)" gflops 42.5 "42.5"
ingest x.db
expect_rc 0 bx report --db x.db --html r.html
# headline first: the write_bw chart comes before the "more metrics" section that holds write_open_time
hb=$(grep -bo 'ior — write_bw over time' r.html | head -1 | cut -d: -f1)
more=$(grep -bo '<details class="more"><summary>more metrics (1)</summary>' r.html | head -1 | cut -d: -f1)
ot=$(grep -bo 'ior — write_open_time over time' r.html | head -1 | cut -d: -f1)
[ -n "$hb" ] && [ -n "$more" ] && [ -n "$ot" ] || fail "charts or more metrics missing (hb=$hb more=$more ot=$ot)"
[ "$hb" -lt "$more" ] && [ "$more" -lt "$ot" ] || fail "order: write_bw $hb, more metrics $more, write_open_time $ot"
# sweeps are of the headline metric only
grep -q 'ior — write_open_time against' r.html && fail "a sweep chart of a non-headline metric"
# one chart as the browser sees it: the <svg> element whose title is $1
chart() { awk -v t="<title>$1</title>" 'index($0, t) { s = substr($0, 1, index($0, t)); n = split(s, a, "<svg "); print "<svg " a[n] substr($0, index($0, t)) }' r.html |
          sed 's|</svg>.*|</svg>|'; }
cat_chart=$(chart 'ior — write_bw against api')
[ -n "$cat_chart" ] || fail "no sweep chart against api"
case $cat_chart in *'data-xaxis="category"'*) ;; *) fail "api is not a category axis" ;; esac
case $cat_chart in *'<polyline'*) fail "a line drawn across the categories of api" ;; esac
case $cat_chart in *'(higher is better)'*) ;; *) fail "no better-direction on the api chart" ;; esac
case $cat_chart in *'MiB/s'*) ;; *) fail "no unit on the api chart" ;; esac
num_chart=$(chart 'ior — write_bw against block_size')
case $num_chart in *'data-xaxis="log"'*) ;; *) fail "block_size spans three decades but no log axis" ;; esac
case $num_chart in *'<polyline'*) ;; *) fail "a numeric sweep without its line" ;; esac
# every chart says which direction is better
eq "$(grep -o '<svg ' r.html | wc -l)" "$(grep -o 'is better)' r.html | wc -l)" "charts with a better-direction"
# single values: a table row, not a chart
grep -q 'hpl — gflops over time' r.html && fail "a chart of one point"
grep -q '<table class="single"><tr><th>metric</th><th>configuration</th><th>value</th><th>unit</th><th>better</th></tr><tr><td>gflops</td><td>-</td><td class="n">42.5</td><td>GFLOP/s</td><td>higher is better</td></tr>' r.html ||
    fail "no table row for the single gflops value"
exit 0
