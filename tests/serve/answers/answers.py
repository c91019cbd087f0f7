"""Kept answers (core/serve/answers.h): no request waits for a recomputation.  With every
computation slowed by BENCHAAS_TEST_ANSWER_DELAY_MS and one server thread: after a change the
runs list and the leaderboard are answered at once with the previous answer while the
refresher recomputes them, other requests are not held up, and the new answers follow.

Mutation: in answers_run, treat a kept answer whose generation is old as missing (compute it
on the request's thread, as the per-thread cache did): the request after the upload takes
DELAY and this test fails.  Mutation: a refresher that never bumps the generation: the new
answer never comes and this test fails."""
import threading

from serve_lib import *

DELAY = 3.0   # seconds each computation sleeps
QUICK = 1.0   # an answer from what is kept comes well within this, even on a busy machine

DB = "a.db"
add_user(DB, "ann", "member")
add_user(DB, "vic", "viewer")
tk = token(DB, "ann")
tv = token(DB, "vic")
bx("run", "trivial", "-p", "value=3", "--db", DB)
s = Server(DB, "--threads", "1", env={"BENCHAAS_TEST_ANSWER_DELAY_MS": str(int(DELAY * 1000))})


def timed(path):
    t0 = time.monotonic()
    j, _ = s.expect(200, "GET", path, tok=tk)
    return j, time.monotonic() - t0


RUNS, BOARD = "/api/v1/runs?limit=10", "/api/v1/leaderboard?plugin=trivial"
j, dt = timed(RUNS)  # nothing kept yet: computed on the request's thread, with the delay
check(len(j["runs"]) == 1 and dt >= DELAY * 0.9, "the first answer: %.2f s, %s" % (dt, j))
b0, dt = timed(BOARD)
check(len(b0["entries"]) == 1 and dt >= DELAY * 0.9, "the first leaderboard: %.2f s" % dt)
j, dt = timed(RUNS)
check(len(j["runs"]) == 1 and dt < QUICK, "a kept answer took %.2f s" % dt)

doc = {"result_version": 1, "uuid": "5b0e9d2a-1c3f-4a8e-9d7b-2f6a1e0c9b44", "plugin": "trivial",
       "plugin_version": "1.0.0", "status": "ok", "started_at": "2026-11-20T10:00:00Z",
       "finished_at": "2026-11-20T10:00:01Z", "host": "far01", "ranks": 1, "threads": 1,
       "params": {"value": {"value": "9", "type": "double"}},
       "metrics": {"rate": {"value": 1e15, "unit": "ops/s", "better": "higher"}}}
t_change = time.monotonic()
j, _ = s.expect(201, "POST", "/api/v1/results", doc, tok=tk)
rid = j["run_id"]
time.sleep(0.2)  # the refresher sees the change (every 10 ms) and starts recomputing

# during the refresh: every request answers at once, the stale ones with the previous answer
slow = []
def one(path):
    _, dt = timed(path)
    if dt >= QUICK:
        slow.append("%s %.2f s" % (path, dt))
ts = [threading.Thread(target=one, args=(p,)) for p in [RUNS, BOARD, "/api/v1/me"] * 4]
for t in ts:
    t.start()
for t in ts:
    t.join()
check(not slow, "requests waited for a recomputation: %s" % slow)
j, dt = timed(RUNS)
check(len(j["runs"]) == 1 and dt < QUICK, "during the refresh: %.2f s, %s" % (dt, j))

# the refresher brings the new answers (each recomputation takes DELAY, one at a time)
j = s.eventually(RUNS, lambda j: len(j["runs"]) == 2, tk, within=4 * DELAY + 10)
check(rid in [r["id"] for r in j["runs"]], "the new runs list: %s" % j)
b = s.eventually(BOARD, lambda b: len(b["entries"]) == 2, tk, within=4 * DELAY + 10)
check(b["entries"][0]["run_id"] == rid, "the new leaderboard: %s" % b)
check(time.monotonic() - t_change >= DELAY, "the new answer came before any recomputation")

# the leaderboard page's table is kept once for everyone; each user sees their own rows
# highlighted and no marker.  Mutation: leaderboard_mine() copying the markers through, or
# highlighting every user's rows: these checks fail.
def page(tok):
    st, _, html = s.request("GET", "/leaderboard/trivial", tok=tok)
    check(st == 200, "leaderboard page: %d" % st)
    return html
for _ in range(2):  # computed, then kept
    html = page(tk)
    check(html.count('class="mine"') == 1 and html.count("(you)") == 1 and "<!--" not in html,
          "ann's leaderboard page: %s" % html[-3000:])
    html = page(tv)
    check('class="mine"' not in html and "(you)" not in html and "<!--" not in html,
          "vic's leaderboard page: %s" % html[-3000:])
print("ok")
