"""The pages over a real socket, without a browser: every page route's rights
(not signed in: a redirect to /login; a viewer: 403 on submit, cancel and admin
routes, also on forged POSTs; a member: 403 on another's cancel and on admin),
CSRF refusals (no token, a wrong one, another session's), sign-in messages
(wrong password, locked out, disabled), session cookie flags, the security
headers, and hostile text from the database escaped on every page."""
import http.client
import re
import shutil
import ssl
import subprocess
import urllib.parse

from serve_lib import *

DB = "p.db"
add_user(DB, "root", "admin")
add_user(DB, "ann", "member")
add_user(DB, "bob", "member")
add_user(DB, "vic", "viewer")
up = token(DB, "ann", "--scope", "upload")
tb = token(DB, "bob")
s = Server(DB)


class Browser:
    """A cookie jar over http.client: what a browser without JavaScript does."""

    def __init__(self):
        self.cookies = {}

    def req(self, method, path, form=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        text = r.read().decode()
        hdrs = r.getheaders()
        for k, v in hdrs:
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                val = rest.split(";")[0]
                if val:
                    self.cookies[name] = val
                else:
                    self.cookies.pop(name, None)
        c.close()
        return r.status, {k.lower(): v for k, v in hdrs}, text, [v for k, v in hdrs
                                                                 if k.lower() == "set-cookie"]

    def csrf(self, path="/login"):
        st, _, text, _ = self.req("GET", path)
        m = re.search(r'name="csrf" value="([0-9a-f]{64})"', text)
        check(m, "no csrf field on %s (%d): %s" % (path, st, text[:300]))
        return m.group(1)

    def sign_in(self, user, password=None):
        t = self.csrf("/login")
        st, h, text, cookies = self.req("POST", "/login", {"csrf": t, "user": user,
                                                            "password": password or user +
                                                            "-password"})
        check(st == 303 and h.get("location") == "/", "sign-in of %s: %d %s" % (user, st, text))
        sc = [c for c in cookies if c.startswith("benchaas_session=")]
        check(sc and "HttpOnly" in sc[0] and "SameSite=Strict" in sc[0] and "Path=/" in sc[0]
              and "Secure" not in sc[0], "session cookie: %s" % cookies)
        return self


PAGES_GET = ["/", "/jobs", "/jobs/1", "/runs/1", "/leaderboard", "/leaderboard/trivial",
             "/compare", "/report", "/submit", "/submit/trivial", "/admin/users", "/schedules"]

# ---- not signed in: every page leads to /login (with where to go back), no data shown
anon = Browser()
for p in PAGES_GET:
    st, h, text, _ = anon.req("GET", p)
    check(st == 303 and h.get("location", "").startswith("/login?next="),
          "anonymous GET %s: %d %s" % (p, st, h.get("location")))
for p in ["/submit/trivial", "/jobs/1/cancel", "/admin/users", "/admin/users/ann", "/logout",
          "/schedules", "/schedules/1/remove"]:
    st, h, _, _ = anon.req("POST", p, {"x": "1"})
    check(st == 303 and h.get("location", "").startswith("/login"), "anonymous POST %s: %d" % (p, st))
st, h, text, _ = anon.req("GET", "/login")
check(st == 200 and 'name="user"' in text and 'name="password"' in text, "login form")
for k, want in [("content-security-policy", "default-src 'none'"),
                ("x-frame-options", "DENY"), ("x-content-type-options", "nosniff")]:
    check(want in h.get(k, ""), "header %s: %s" % (k, h.get(k)))
check("script-src" not in h["content-security-policy"], "a page allows scripts")
st, h, css, _ = anon.req("GET", "/static/benchaas.css")
check(st == 200 and h["content-type"].startswith("text/css") and "body{" in css, "stylesheet")

# ---- sign-in messages: wrong password, locked out after repeated failures, disabled
b = Browser()
t = b.csrf()
st, _, text, _ = b.req("POST", "/login", {"csrf": t, "user": "ann", "password": "nope-nope"})
check(st == 401 and "Wrong user name or password" in text and 'value="ann"' in text,
      "wrong password: %d" % st)
st, _, text, _ = b.req("POST", "/login", {"user": "ann", "password": "ann-password"})
check(st == 403 and "security token" in text and "benchaas_session" not in b.cookies,
      "sign-in without a CSRF token: %d" % st)
st, _, text, _ = b.req("POST", "/login", {"csrf": "0" * 64, "user": "ann",
                                          "password": "ann-password"})
check(st == 403 and "benchaas_session" not in b.cookies, "sign-in with a wrong token: %d" % st)

# ---- a viewer: no submit link, 403 on submit/cancel/admin, forged POSTs refused
v = Browser().sign_in("vic")
st, _, text, _ = v.req("GET", "/")
check(st == 200 and 'href="/submit' not in text and "Signed in as" in text and "vic" in text,
      "viewer dashboard")
tv = v.csrf("/")
for p in ["/submit", "/submit/trivial", "/admin/users"]:
    st, h, text, _ = v.req("GET", p)
    check(st == 403 and "text/html" in h["content-type"] and "<nav" in text,
          "viewer GET %s: %d" % (p, st))
# a job of bob's to cancel
j, _ = s.expect(201, "POST", "/api/v1/jobs", {"plugin": "trivial", "params": {"mode": "hang"},
                                                "timeout": 60}, tok=tb)
bob_job = j["job"]["id"]
for p, form in [("/submit/trivial", {"csrf": tv, "count": "3"}),
                ("/jobs/%d/cancel" % bob_job, {"csrf": tv}),
                ("/admin/users", {"csrf": tv, "user": "eve", "password": "eve-password",
                                  "role": "admin"}),
                ("/admin/users/vic", {"csrf": tv, "action": "role", "role": "admin"})]:
    st, _, _, _ = v.req("POST", p, form)
    check(st == 403, "viewer forged POST %s: %d" % (p, st))
check(sql(DB, "SELECT role FROM users WHERE name = 'vic'")[0][0] == "viewer", "viewer promoted")
check(not sql(DB, "SELECT 1 FROM users WHERE name = 'eve'"), "viewer added a user")
check(sql(DB, "SELECT count(*) FROM jobs")[0][0] == 1, "viewer queued a job")

# ---- a member: cancel of another's job 403, admin 403; CSRF on submit and cancel
a = Browser().sign_in("ann")
ta = a.csrf("/")
st, _, _, _ = a.req("POST", "/jobs/%d/cancel" % bob_job, {"csrf": ta})
check(st == 403, "ann cancels bob's job: %d" % st)
st, _, _, _ = a.req("GET", "/admin/users")
check(st == 403, "member GET /admin/users: %d" % st)
st, _, text, _ = a.req("POST", "/submit/trivial", {"count": "3"})
check(st == 403 and "security token" in text, "submit without a token: %d" % st)
st, _, text, _ = a.req("POST", "/submit/trivial", {"csrf": tv, "count": "3"})
check(st == 403, "submit with the viewer's token: %d" % st)
check(sql(DB, "SELECT count(*) FROM jobs")[0][0] == 1, "a refused form queued a job")
# bob cancels his own job through the page (with his token)
bo = Browser().sign_in("bob")
st, h, _, _ = bo.req("POST", "/jobs/%d/cancel" % bob_job, {"csrf": "f" * 64})
check(st == 403, "cancel with a wrong token: %d" % st)
st, h, _, _ = bo.req("POST", "/jobs/%d/cancel" % bob_job, {"csrf": bo.csrf("/jobs/%d" % bob_job)})
check(st == 303 and h["location"] == "/jobs/%d" % bob_job, "bob cancels: %d" % st)
check(sql(DB, "SELECT state FROM jobs WHERE id = ?", bob_job)[0][0] == "cancelled", "not cancelled")

# ---- schedules (mutations: the page's CSRF check or the API's owner check skipped, another
# member's job taken into a suite): a viewer sees them without the form and cannot make or
# remove one; a member cannot repeat another's job nor remove another's schedule
j, _ = s.expect(201, "POST", "/api/v1/schedules", {"job": {"plugin": "trivial"}, "every": "6h"},
                tok=tb)
bob_sched = j["schedule"]["id"]
st, _, text, _ = v.req("GET", "/schedules")
check(st == 200 and 'id="schedule-%d"' % bob_sched in text and "schedule-form" not in text
      and "Remove" not in text, "viewer /schedules: %d" % st)
for p, form in [("/schedules", {"csrf": tv, "job": str(bob_job), "at": "02:30"}),
                ("/schedules/%d/remove" % bob_sched, {"csrf": tv})]:
    st, _, _, _ = v.req("POST", p, form)
    check(st == 403, "viewer forged POST %s: %d" % (p, st))
st, _, text, _ = a.req("POST", "/schedules", {"job": str(bob_job), "at": "02:30"})
check(st == 403 and "security token" in text, "schedule without a token: %d" % st)
st, _, text, _ = a.req("POST", "/schedules", {"csrf": ta, "job": str(bob_job), "at": "02:30"})
check(st == 400 and "is not one of your jobs" in text, "ann repeats bob's job: %d" % st)
st, _, text, _ = a.req("POST", "/schedules/%d/remove" % bob_sched, {"csrf": ta})
check(st == 403, "ann removes bob's schedule: %d" % st)
check(sql(DB, "SELECT user FROM schedules") == [("bob",)], "a refused form changed schedules")
st, h, _, _ = bo.req("POST", "/schedules", {"csrf": bo.csrf("/schedules"), "job": str(bob_job),
                                            "every": "12h"})
check(st == 303 and h["location"].startswith("/schedules?made="), "bob's schedule: %d" % st)
check(len(sql(DB, "SELECT id FROM schedules WHERE user = 'bob' AND every_seconds = 43200")) == 1,
      "bob's schedule not stored")

# ---- hostile text from the database is escaped on every page
EVIL = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>'
doc = {"result_version": 1, "uuid": "6f0c1c1e-0000-4000-8000-000000000001", "plugin": "trivial",
       "plugin_version": "1.0.0", "status": "ok", "started_at": "2026-11-20T10:00:00Z",
       "finished_at": "2026-11-20T10:00:01Z", "host": "h" + EVIL, "ranks": 1, "threads": 1,
       "params": {"value": {"value": "9" + EVIL, "type": "string"}},
       "metrics": {"rate": {"value": 123.5, "unit": "ops" + EVIL, "better": "higher"}},
       "samples": {"rate": [[1, 0, 120.0], [2, 0, 123.5]]},
       "warnings": ["w" + EVIL], "provenance": {"kernel": "k" + EVIL}}
j, _ = s.expect(201, "POST", "/api/v1/results", doc, tok=up)
rid = j["run_id"]
failed = dict(doc, uuid="6f0c1c1e-0000-4000-8000-000000000002", status="failed",
              error="e" + EVIL)
s.expect(201, "POST", "/api/v1/results", failed, tok=up)
# a job name with markup, when the configuration code takes it
s.request("POST", "/api/v1/jobs", {"plugin": "trivial", "name": "n" + EVIL[:20],
                                   "params": {"count": 1}}, tok=tb)
s.request("POST", "/api/v1/schedules", {"job": {"plugin": "trivial", "name": "n" + EVIL[:20]},
                                        "every": "6h"}, tok=tb)
pages = ["/", "/jobs/%d" % (bob_job + 1), "/runs/%d" % rid, "/runs/%d" % (rid + 1), "/leaderboard/trivial", "/jobs",
         "/leaderboard/" + urllib.parse.quote(EVIL, safe=""),
         "/jobs?user=" + urllib.parse.quote(EVIL),
         "/leaderboard/" + urllib.parse.quote("<img src=x onerror=alert(3)>"),
         "/submit/" + urllib.parse.quote("<img src=x onerror=alert(4)>"), "/compare?a=" + urllib.parse.quote(EVIL)
         + "&b=1", "/report?plugin=trivial", "/schedules"]
for p in pages:
    st, h, text, _ = a.req("GET", p)
    check(st in (200, 400, 404), "GET %s: %d" % (p, st))
    if "text/html" not in h["content-type"]:  # the engine's JSON 404 (nosniff)
        check(h["content-type"] == "application/json" and h["x-content-type-options"] ==
              "nosniff", "GET %s: %s" % (p, h["content-type"]))
        continue
    check("<script" not in text and "<img" not in text and '"\'>' not in text,
          "unescaped hostile text on %s" % p)
st, _, text, _ = a.req("GET", "/runs/%d" % rid)
for want in ["h&lt;script&gt;", "9&lt;script&gt;", "w&lt;script&gt;", "k&lt;script&gt;",
             "ops&lt;script&gt;"]:
    check(want in text, "escaped %s not on the run page" % want)
st, _, text, _ = a.req("GET", "/runs/%d" % (rid + 1))
check("e&lt;script&gt;alert(1)&lt;/script&gt;&quot;" in text, "escaped error")

# ---- a path that is no page: a 404 page in the pages' layout, the path escaped, a link back
# to /; under /api/ the JSON 404 stays
st, h, text, _ = a.req("GET", "/no/such/" + urllib.parse.quote(EVIL, safe=""))
check(st == 404 and h["content-type"].startswith("text/html")
      and "content-security-policy" in h, "unknown page: %d %s" % (st, h))
check("<h1>Not found</h1>" in text and 'href="/static/benchaas.css"' in text
      and "Signed in as" in text and '<a href="/">' in text and "/no/such/" in text
      and "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script" not in text
      and "<img" not in text, "unknown page: %s" % text)
st, h, text, _ = Browser().req("GET", "/nowhere")
check(st == 404 and h["content-type"].startswith("text/html") and "Not signed in" in text
      and "/nowhere" in text, "unknown page, not signed in: %d %s" % (st, text[:300]))
for p in ["/api", "/api/nowhere", "/api/v1/nowhere"]:
    st, h, j = s.request("GET", p)
    check(st == 404 and h["content-type"] == "application/json" and j["error"]["status"] == 404,
          "GET %s: %d %s" % (p, st, j))

# ---- the admin: add, change role, disable (sign-in refused, clearly), enable
ad = Browser().sign_in("root")
tr = ad.csrf("/admin/users")
st, _, text, _ = ad.req("POST", "/admin/users", {"csrf": tr, "user": "dan",
                                                 "password": "dan-password", "role": "viewer"})
check(st == 200 and "Added dan" in text, "admin adds dan: %d" % st)
st, _, text, _ = ad.req("POST", "/admin/users", {"user": "eve", "password": "eve-password",
                                                 "role": "admin"})
check(st == 403 and not sql(DB, "SELECT 1 FROM users WHERE name = 'eve'"), "admin add w/o token")
st, _, text, _ = ad.req("POST", "/admin/users/dan", {"csrf": tr, "action": "role",
                                                     "role": "member"})
check(st == 200 and sql(DB, "SELECT role FROM users WHERE name = 'dan'")[0][0] == "member",
      "role change: %d" % st)
d = Browser().sign_in("dan")
st, _, _, _ = ad.req("POST", "/admin/users/dan", {"csrf": tr, "action": "disable"})
check(st == 200, "disable: %d" % st)
st, h, _, _ = d.req("GET", "/")
check(st == 303, "a disabled user's session still works: %d" % st)
t = d.csrf()
st, _, text, _ = d.req("POST", "/login", {"csrf": t, "user": "dan", "password": "dan-password"})
check(st == 401 and "disabled" in text, "disabled sign-in message: %d" % st)
st, _, _, _ = ad.req("POST", "/admin/users/dan", {"csrf": tr, "action": "enable"})
Browser().sign_in("dan")
st, _, text, _ = ad.req("POST", "/admin/users/root", {"csrf": tr, "action": "disable"})
check(st == 400, "admin disables itself: %d" % st)

# ---- sign-out ends the session
st, h, _, _ = a.req("POST", "/logout", {"csrf": ta})
check(st == 303 and "benchaas_session" not in a.cookies, "sign-out: %d" % st)
# ---- locked out after repeated failures (last: the address is locked too)
b = Browser()
t = b.csrf()
for i in range(6):
    st, h, text, _ = b.req("POST", "/login", {"csrf": t, "user": "bob", "password": "x" * 9})
check(st == 429 and "locked" in text and int(h.get("retry-after", "0")) > 0,
      "locked out: %d %s" % (st, re.findall(r'msg bad[^<]*<', text)))
check(s.stop() == 0, "exit code on SIGTERM")

# ---- sign-up: a 404 page while closed; with --signup a form that makes a member, signed in
s2 = Server("signup.db", "--signup")
s_closed = Server("closed.db")
s = s_closed
st, _, text, _ = Browser().req("GET", "/signup")
check(st == 404 and "closed" in text, "sign-up while closed: %d" % st)
s = s2
n = Browser()
t = n.csrf("/signup")
st, h, text, _ = n.req("POST", "/signup", {"user": "neo", "password": "neo-password"})
check(st == 403 and not sql("signup.db", "SELECT 1 FROM users WHERE name = 'neo'"),
      "sign-up without a token: %d" % st)
st, h, text, _ = n.req("POST", "/signup", {"csrf": t, "user": "neo", "password": "neo-password"})
check(st == 303 and "benchaas_session" in n.cookies, "sign-up: %d %s" % (st, text[:300]))
check(sql("signup.db", "SELECT role FROM users WHERE name = 'neo'") == [("member",)], "role")
st, _, text, _ = n.req("GET", "/")
check(st == 200 and "neo" in text and "(member)" in text, "signed in after sign-up")
b2 = Browser()
t = b2.csrf("/signup")
st, _, text, _ = b2.req("POST", "/signup", {"csrf": t, "user": "neo",
                                            "password": "other-password"})
check(st == 409 and "taken" in text, "sign-up with a taken name: %d" % st)
# ---- under TLS the cookies are Secure
if shutil.which("openssl"):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    "key.pem", "-out", "cert.pem", "-days", "1", "-subj", "/CN=127.0.0.1"],
                   check=True, capture_output=True)
    p = subprocess.Popen([BENCHAAS, "serve", "--listen", "127.0.0.1:0", "--db", "signup.db",
                          "--tls-cert", "cert.pem", "--tls-key", "key.pem"],
                         stderr=subprocess.PIPE, text=True)
    line = p.stderr.readline()
    m = re.fullmatch(r"benchaas serve: listening on https://127\.0\.0\.1:(\d+)\n", line)
    check(m, "TLS listening line: %r" % line)
    ctx = ssl.create_default_context(cafile="cert.pem")
    ctx.check_hostname = False

    def tls(method, path, body=None, cookie=None):
        c = http.client.HTTPSConnection("127.0.0.1", int(m.group(1)), context=ctx, timeout=30)
        h = {"Cookie": cookie} if cookie else {}
        if body:
            h["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        text = r.read().decode()
        return r.status, r.getheader("Set-Cookie") or "", text

    st, sc, text = tls("GET", "/login")
    check(st == 200 and sc.startswith("benchaas_csrf=") and "; Secure" in sc and
          "HttpOnly" in sc, "pre-session cookie under TLS: %s" % sc)
    pre = sc.split(";")[0]
    t = re.search(r'name="csrf" value="([0-9a-f]{64})"', text).group(1)
    st, sc, _ = tls("POST", "/login", urllib.parse.urlencode(
        {"csrf": t, "user": "neo", "password": "neo-password"}), cookie=pre)
    check(st == 303 and sc.startswith("benchaas_session=") and "; Secure" in sc and
          "SameSite=Strict" in sc, "session cookie under TLS: %s" % sc)
    p.terminate()
    check(p.wait(30) == 0, "TLS server exit code")
print("ok")
