"""A refresh that fails with a 5xx (the database busy, out of memory: the server's failure,
not the answer's) keeps the kept answer (core/serve/answers.c refresh()): the next request
is answered at once with it, and it is refreshed again later.  It used to be dropped, so the
next request computed it on its thread and every request for it, on every thread, waited
for that computation (seconds for a leaderboard over 1 000 000 runs: every connection of a
benchmark at once).

BENCHAAS_TEST_ANSWER_FAIL=FILE makes the refreshes answer 503 while FILE exists;
BENCHAAS_TEST_ANSWER_DELAY_MS slows every computation so a request that computes is seen;
BENCHAAS_TEST_ANSWER_COUNT tells when the refresh began.

Mutation: refresh() dropping the answer on every failure (slot_clear for a 5xx too): the
request after the failed refresh waits DELAY and this test fails."""
from serve_lib import *

DELAY = 2.0   # seconds each computation of a kept answer sleeps
QUICK = 1.0   # an answer from what is kept comes well within this, even on a busy machine

DB = "f.db"
add_user(DB, "vic", "viewer")
tv = token(DB, "vic")
bx("run", "trivial", "-p", "value=3", "--db", DB)
FAIL = os.path.abspath("fail-refreshes")
COUNT = os.path.abspath("computed.log")
s = Server(DB, "--threads", "2", env={"BENCHAAS_TEST_ANSWER_DELAY_MS": str(int(DELAY * 1000)),
                                      "BENCHAAS_TEST_ANSWER_FAIL": FAIL,
                                      "BENCHAAS_TEST_ANSWER_COUNT": COUNT})
URL = "/api/v1/leaderboard?plugin=trivial"


def timed():
    t0 = time.monotonic()
    j, _ = s.expect(200, "GET", URL, tok=tv)
    return len(j["entries"]), time.monotonic() - t0


n, dt = timed()
check(dt >= DELAY * 0.9, "the first request did not compute (%.2f s)" % dt)
open(FAIL, "w").close()
bx("run", "trivial", "-p", "value=4", "--db", DB)  # a change: the refresh fails
# the refresh begins once the refresher has rested (twice the first computation's cost)
deadline = time.time() + 30
while time.time() < deadline and open(COUNT).read().count("\n") < 2:
    time.sleep(0.05)
check(open(COUNT).read().count("\n") == 2, "no refresh began")
time.sleep(DELAY + 1.0)  # ... and failed
n2, dt = timed()
check(dt < QUICK, "the request after a failed refresh waited %.2f s for a computation" % dt)
check(n2 == n, "the answer after the failed refresh is not the kept one: %d entries, kept %d"
      % (n2, n))
os.unlink(FAIL)  # the next refresh succeeds: the change shows, no request waiting
deadline = time.time() + 4 * DELAY + 10
while time.time() < deadline:
    n3, dt = timed()
    check(dt < QUICK, "a request waited %.2f s during the refresh" % dt)
    if n3 > n:
        break
    time.sleep(0.1)
check(n3 > n, "the change never showed: %d entries" % n3)
sys.exit(0)
