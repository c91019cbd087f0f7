"""The run page holds its headline figure to a yardstick: a figure in GFLOP/s to the
node's theoretical peak (physical cores x clock x operations per cycle, from the run's
provenance, or the site's serve.peak_gflops), any other to the median of the same
configuration on hosts of the same class, with how many runs; how it was derived is
shown.  Runs with a caveat are not part of the median.  The dashboard says the same beside
each configuration's latest figure (mutation: page_yard_long not called from latest_row)."""
import re

from serve_lib import *

DB = "y.db"
for i in range(3):
    bx("run", "trivial", "-p", "noise=0", "--db", DB)  # rate: exactly 1e6 ops/s
bx("run", "trivial", "-p", "noise=0", "-p", "count=7", "--db", DB)  # another configuration
add_user(DB, "ann", "member")
tk = token(DB, "ann")
# one of the three made half as fast, and a fifth run of the configuration with a caveat
sql(DB, "UPDATE metrics SET value = 5e5 WHERE name = 'rate' AND run_id = 1")
bx("run", "trivial", "-p", "noise=0", "--db", DB)
sql(DB, "UPDATE metrics SET value = 1 WHERE name = 'rate' AND run_id = 5")
sql(DB, "INSERT INTO run_meta (run_id, key, value) VALUES (5, 'caveat', 'not real')")


def headline(s, rid):
    st, _, page = s.request("GET", "/runs/%d" % rid, tok=tk)
    check(st == 200, "run page %d: %d" % (rid, st))
    m = re.search(r'<div class="headline" id="headline">(.*?)</div>', page, re.S)
    check(m, "run %d: no headline" % rid)
    return re.sub(r"<[^>]+>", "", m.group(1))


s = Server(DB)
h = headline(s, 2)
check("1.00 M ops/s rate" in h and "100 % of the typical 1.00 M ops/s of this host class "
      "(median of 3 runs)" in h, "typical: %s" % h)
check("runs with a caveat left out" in h, "how: %s" % h)
h = headline(s, 1)
check("50 % of the typical" in h, "half: %s" % h)
# the leaderboard says it beside each figure
st, _, page = s.request("GET", "/leaderboard/trivial?metric=rate", tok=tk)
check(st == 200 and re.search(r'<span class="small yard" title="the median of 3 runs[^"]*">100 % '
                              r'of typical</span>', page), "leaderboard: %s" % page[-3000:])
# the dashboard too, beside each configuration's latest figure (run 5, the one with a caveat,
# is that configuration's newest)
st, _, page = s.request("GET", "/", tok=tk)
rows = re.findall(r'<tr><td><a href="/leaderboard/trivial">.*?</tr>', page, re.S)
text = [re.sub(r"<[^>]+>", "", r) for r in rows]
check(st == 200 and any("— 0 % of the typical 1.00 M ops/s of this host class (median of 3 "
                        "runs)" in t for t in text), "dashboard: %s" % text)
check(any("count=7" in t and "%" not in t.split("rate")[1].split("runs")[0] for t in text),
      "dashboard: a yardstick for a run alone in its configuration: %s" % text)
h = headline(s, 4)  # alone in its configuration
check("%" not in h.split("How")[0] and "no other run of this configuration" in h, h)

# a figure in GFLOP/s: the node's peak from the run's provenance
sql(DB, "UPDATE metrics SET unit = 'GFLOP/s', value = 10 WHERE name = 'rate' AND run_id = 3")
sql(DB, "DELETE FROM provenance WHERE run_id = 3 AND key LIKE 'cpu_%'")
sql(DB, "INSERT INTO provenance (run_id, key, value) VALUES (3, 'cpu_physical_cores', '4'), "
        "(3, 'cpu_max_mhz', '2500'), (3, 'cpu_dp_flops_per_cycle', '16'), "
        "(3, 'cpu_vector', 'AVX2 with FMA')")
s.stop()
s = Server(DB)
h = headline(s, 3)
check("10 GFLOP/s rate — 6 % of this node's peak of 160 GFLOP/s" in h, "peak: %s" % h)
check("4 cores x 2.50 GHz x 16 double-precision operations per cycle (AVX2 with FMA" in h,
      "how: %s" % h)
s.stop()
with open("site.cfg", "w") as f:
    f.write("serve = { peak_gflops = 40.0; };\n")
s = Server(DB, "--config", "site.cfg")
h = headline(s, 3)
check("25 % of this node's peak of 40 GFLOP/s" in h and "peak_gflops = 40" in h,
      "site's peak: %s" % h)
s.stop()
sys.exit(0)
