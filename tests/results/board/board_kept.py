"""The leaderboard page's tables are a kept answer (core/serve/page_board.c, answers.h): the
first request for a page computes them (here slowed by BENCHAAS_TEST_ANSWER_DELAY_MS), every
later one is answered from what is kept, also while the refresher recomputes them after a run
is stored by another process, and the new run shows once the refresh is done.

Mutation: page_board rendering its tables on the request's thread (board_part called directly,
not through page_kept_part): the first page takes no DELAY and this test fails.  Mutation:
board_part asking the API through page_api_call (authorised again): the refresher, which has
no user, is refused, the kept tables are dropped, the next request waits DELAY and this test
fails."""
from serve_lib import *

DELAY = 2.0   # seconds each computation of a kept answer sleeps
QUICK = 1.0   # an answer from what is kept comes well within this, even on a busy machine

DB = "b.db"
add_user(DB, "vic", "viewer")
tv = token(DB, "vic")
bx("run", "trivial", "-p", "value=3", "--db", DB)
s = Server(DB, "--threads", "1", env={"BENCHAAS_TEST_ANSWER_DELAY_MS": str(int(DELAY * 1000))})


def page():
    t0 = time.monotonic()
    st, _, html = s.request("GET", "/leaderboard/trivial", tok=tv)
    check(st == 200, "leaderboard page: %d" % st)
    return html.count('<a href="/runs/'), time.monotonic() - t0


n, dt = page()
check(n == 1 and dt >= DELAY * 0.9, "the first page (computed): %d runs, %.2f s" % (n, dt))
n, dt = page()
check(n == 1 and dt < QUICK, "the page again (kept): %d runs, %.2f s" % (n, dt))

bx("run", "trivial", "-p", "value=9", "--db", DB)  # another process stores a run
deadline = time.monotonic() + 4 * DELAY + 10
seen = []
while time.monotonic() < deadline:
    n, dt = page()
    seen.append("%d runs %.2f s" % (n, dt))
    check(dt < QUICK, "a page waited for a recomputation: %s" % seen)
    if n == 2:
        break
    time.sleep(0.1)
check(n == 2, "the new run never showed: %s" % seen[-5:])
# the refreshed tables stay kept: the next pages are quick too
for _ in range(3):
    n, dt = page()
    check(n == 2 and dt < QUICK, "after the refresh: %d runs, %.2f s" % (n, dt))
    time.sleep(DELAY / 2)
print("ok")
