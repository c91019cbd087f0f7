"""/compare's refusals tell a person what to do on the pages, never a command-line option:
a side without a run that ended ok, a job with none yet, two sides with no configuration in
common, something that is not a run, job, period or tag.

Mutations that fail it: web_advice() not called (the library's "--status to change that"
shown); side_selector's or the unknown selector's message without its advice."""
import re
import urllib.parse

from serve_lib import *

DB = "c.db"
bx("run", "trivial", "-p", "noise=0", "--db", DB)                    # run 1
bx("run", "trivial", "-p", "mode=fail", "--db", DB, rc=None)         # run 2: failed
bx("run", "stream", "-p", "array_size=20000", "-p", "ntimes=2", "--db", DB)  # run 3
add_user(DB, "ann", "member")
tk = token(DB, "ann")
s = Server(DB)
check(sql(DB, "SELECT status FROM runs WHERE id = 2")[0][0] != "ok", "run 2 ended ok")


def refusal(a, b):
    st, _, page = s.request("GET", "/compare?a=%s&b=%s" % (urllib.parse.quote(a),
                                                          urllib.parse.quote(b)), tok=tk)
    m = re.search(r'<p class="msg bad" role="alert">(.*?)</p>', page, re.S)
    check(st == 400 and m, "/compare %s %s: %d" % (a, b, st))
    text = m.group(1)
    check(not re.search(r"(^|\s)--[a-z]", text), "a command-line option in: %s" % text)
    return text


t = refusal("1", "2")
check("B (2) has no run that ended ok" in t and "a job&#39;s page shows how" in t.replace(
      "&#x27;", "&#39;").replace("'", "&#39;"), t)
t = refusal("job:77", "1")
check("Job 77 has no run that ended ok yet" in t and "Wait until it is done" in t, t)
t = refusal("1", "3")
check("no configuration in common" in t and "leaderboard" in t, t)
t = refusal("nonsense:x", "1")
check("a job (job:12)" in t and "tag:before" in t, t)
sys.exit(0)
