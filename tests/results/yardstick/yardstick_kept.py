"""The leaderboard's yardsticks are kept by each server thread while the database is
unchanged (core/results/yardstick.c): a page of many rows of one configuration and host
class asks SQLite for the typical value once, not once a row (at 100 000 runs that was 5 s
a page), and a change committed by another process shows in the page once its kept tables
are refreshed.
Fails if the kept answers are not looked up (one median query per row), or if one outlives a
change of the database (the data version left out of its key)."""
import re

from serve_lib import *

DB = "k.db"
for i in range(6):
    bx("run", "trivial", "-p", "noise=0", "--db", DB)  # rate: exactly 1e6 ops/s
# six users: the leaderboard shows the best run of each user and host, six rows
sql(DB, "UPDATE runs SET user = 'user' || id")
add_user(DB, "ann", "member")
tk = token(DB, "ann")
MEDIAN_SQL = "SELECT m.value, h.cpu_model, h.cores FROM runs me"


def board(s):
    s.log.seek(0)
    before = s.log.read().count(MEDIAN_SQL)
    st, _, page = s.request("GET", "/leaderboard/trivial?metric=rate", tok=tk)
    check(st == 200, "leaderboard: %d" % st)
    s.log.seek(0)
    return page, s.log.read().count(MEDIAN_SQL) - before


s = Server(DB, "--threads", "1", env={"BENCHAAS_SQL_PROFILE": "1"})
page, queries = board(s)
yards = re.findall(r'<span class="small yard" title="the median of 6 runs[^"]*">100 % of typical'
                   r'</span>', page)
check(len(yards) >= 2, "yardsticks on the page: %d\n%s" % (len(yards), page[-3000:]))
check(queries == 1, "%d rows asked for the median %d times" % (len(yards), queries))
page, queries = board(s)
check(queries == 0 and len(re.findall(r"100 % of typical", page)) == len(yards),
      "the same page again: %d median queries" % queries)

# another process makes four of the six half as fast: the typical is now 5e5; the page's
# tables are a kept answer (core/serve/answers.h), recomputed off the request path: the new
# figures come within a few refreshes, their median asked for once
s.log.seek(0)
before = s.log.read().count(MEDIAN_SQL)
sql(DB, "UPDATE metrics SET value = 5e5 WHERE name = 'rate' AND run_id <= 4")
deadline = time.monotonic() + 20
while True:
    page, _ = board(s)
    if re.search(r">200 % of typical</span>", page) or time.monotonic() > deadline:
        break
    time.sleep(0.05)
s.log.seek(0)
queries = s.log.read().count(MEDIAN_SQL) - before
check(queries == 1, "after the change: %d median queries" % queries)
check(re.search(r">200 % of typical</span>", page) and re.search(r">100 % of typical</span>", page),
      "after the change: %s" % page[-3000:])
s.stop()
