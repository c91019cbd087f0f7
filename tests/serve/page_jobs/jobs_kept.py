"""/jobs answers its table from a kept answer (core/serve/page_jobs.c, answers.h), keyed by
the state and user asked for: the table of the 200 newest jobs is rendered once, not per
request (it was 0.2x nginx's requests a second in bench/pages.sh), and a change of the
database shows without a request computing it.

BENCHAAS_TEST_ANSWER_COUNT counts the computations of kept answers.

Mutation: page_jobs() writing the table itself (page_jobs_table() instead of
page_kept_part()): no computation is counted and this test fails.  Mutation: jobs_part()
ignoring the state asked for: /jobs?state=failed lists the done job and this test fails."""
import re

from serve_lib import *

DB = "jk.db"
add_user(DB, "ann", "member")
tk = token(DB, "ann")


def job(name, state):
    sql(DB, "INSERT INTO jobs(user, plugin, name, experiment_json, state, npoints, created_at) "
            "VALUES ('ann', 'trivial', ?, '{}', ?, 0, '2026-01-01T00:00:00Z')", name, state)


job("first-done", "done")
job("first-failed", "failed")
COUNT = os.path.abspath("computed.log")
s = Server(DB, env={"BENCHAAS_TEST_ANSWER_COUNT": COUNT})


def names(path):
    st, _, page = s.request("GET", path, tok=tk)
    check(st == 200, "%s: %d" % (path, st))
    check(not re.search(r"[\x01-\x08]", page), "%s: a control character in the page" % path)
    return re.findall(r"<td>(first-\w+|later-\w+)</td>", page)


def computed(path):
    if not os.path.exists(COUNT):
        return 0
    with open(COUNT) as f:
        return sum(1 for line in f if line.strip() == path)


for _ in range(3):
    got = names("/jobs")
    check(got == ["first-failed", "first-done"], "/jobs lists %s" % got)
check(computed("/jobs") == 1, "the jobs table computed %d times for 3 requests" %
      computed("/jobs"))
got = names("/jobs?state=failed")
check(got == ["first-failed"], "/jobs?state=failed lists %s" % got)
got = names("/jobs?state=&user=ann")
check(got == ["first-failed", "first-done"], "/jobs?state=&user=ann lists %s" % got)
check(names("/jobs?user=nobody") == [], "/jobs?user=nobody lists jobs")
# a change shows, computed off the request path
job("later-done", "done")
deadline = time.time() + 20
while time.time() < deadline and "later-done" not in names("/jobs"):
    time.sleep(0.1)
check(names("/jobs")[0] == "later-done", "the new job never showed: %s" % names("/jobs"))
sys.exit(0)
