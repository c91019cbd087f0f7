"""A kept answer nobody asked for in ANSWERS_IDLE_S (10 s) is no longer refreshed when the
database changes, but it is kept (core/serve/answers.c): asked for again, it is answered at
once as it is, and refreshed off the request path.  It used to be dropped at the first change
after 10 s idle, so the next request computed it on its own thread and every connection of
that thread waited (a leaderboard over 1 000 000 runs: a 5 s stall of all 64 connections in
bench/serve.sh, whose rounds leave a URL idle for 10 s while nginx is measured).

Mutation: next_stale() dropping an answer idle for ANSWERS_IDLE_S (the old `slot_clear` at
IDLE_S): the request after the pause waits DELAY and this test fails."""
from serve_lib import *

DELAY = 2.0   # seconds each computation of a kept answer sleeps
QUICK = 1.0   # an answer from what is kept comes well within this, even on a busy machine
IDLE = 10.0   # ANSWERS_IDLE_S

DB = "i.db"
add_user(DB, "vic", "viewer")
tv = token(DB, "vic")
bx("run", "trivial", "-p", "value=3", "--db", DB)
s = Server(DB, "--threads", "1", env={"BENCHAAS_TEST_ANSWER_DELAY_MS": str(int(DELAY * 1000))})
URL = "/api/v1/leaderboard?plugin=trivial"


def timed():
    t0 = time.monotonic()
    j, _ = s.expect(200, "GET", URL, tok=tv)
    return len(j["entries"]), time.monotonic() - t0


n, dt = timed()
check(dt >= DELAY * 0.9, "the first request did not compute (%.2f s)" % dt)
time.sleep(IDLE + 1.0)
bx("run", "trivial", "-p", "value=4", "--db", DB)  # a change while the answer is idle
time.sleep(1.0)  # the refresher sees it (every 10 ms)
n2, dt = timed()
check(dt < QUICK, "the request after a pause waited %.2f s for a computation" % dt)
check(n2 == n, "the answer after the pause is not the kept one: %d entries, kept %d" % (n2, n))
# and it is refreshed off the request path: the new run shows within a refresh
deadline = time.time() + 4 * DELAY + 5
while time.time() < deadline:
    n3, dt = timed()
    check(dt < QUICK, "a request waited %.2f s during the refresh" % dt)
    if n3 > n:
        break
    time.sleep(0.1)
check(n3 > n, "the change never showed: %d entries" % n3)
sys.exit(0)
