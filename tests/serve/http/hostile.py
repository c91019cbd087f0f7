"""The service under a hostile member (issue 25, findings 4 to 13): each test_* function is one
finding, and fails on the code before its fix; the comment above each names the mutation of
today's code that makes it fail again.  Run alone: BENCHAAS=... python3 hostile.py [NAME]."""
import resource
import socket
import threading
import urllib.parse

from serve_lib import *

PW = "right-password"
DB = "h.db"
add_user(DB, "root", "admin", PW)
add_user(DB, "mem", "member", PW)
add_user(DB, "other", "member", PW)
T_ADMIN = token(DB, "root")
T_ADMIN_READ = token(DB, "root", "--scope", "read")
T_MEM = token(DB, "mem")
T_MEM_READ = token(DB, "mem", "--scope", "read")
T_MEM_UP = token(DB, "mem", "--scope", "upload")
open("h.cfg", "w").write("serve = { quotas = { schedules = 3; }; };\n")
# one thread, as the other tests of the kept answers (answers.h, shared by every thread)
S = Server(DB, "--threads", "1", "--signup", "--config", "h.cfg")

UUID = "0d7d3f4e-9a52-4c1e-8f0e-6b1b3e2b%04x"
DOC = {"result_version": 1, "plugin": "trivial", "plugin_version": "1.0.0", "status": "ok",
       "started_at": "2026-11-20T10:00:00Z", "finished_at": "2026-11-20T10:00:01Z",
       "host": "far01", "ranks": 1, "threads": 1,
       "params": {"value": {"value": "9", "type": "double"}},
       "metrics": {"rate": {"value": 123.5, "unit": "ops/s", "better": "higher"}}}
EXP = {"plugin": "trivial", "params": {"value": 1}}
_n = [0]


def doc(**kw):
    _n[0] += 1
    return dict(DOC, uuid=UUID % _n[0], **kw)


def req(srv, method, path, body=None, tok=None, src="127.0.0.1", headers=None, raw=None,
        ctype="application/json"):
    """(status, headers, JSON or text), from source address src (any of 127.0.0.0/8)."""
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60, source_address=(src, 0))
    h = dict(headers or {})
    if tok:
        h["Authorization"] = "Bearer " + tok
    data = raw if body is None else json.dumps(body).encode()
    if data is not None and ctype:
        h["Content-Type"] = ctype
    c.request(method, path, body=data, headers=h)
    r = c.getresponse()
    text = r.read().decode(errors="replace")
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    try:
        return r.status, hdrs, json.loads(text)
    except ValueError:
        return r.status, hdrs, text


def sign_in(srv, user, pw, src="127.0.0.1", headers=None):
    return req(srv, "POST", "/api/v1/session", {"user": user, "password": pw}, src=src,
               headers=headers)


def fnv_slot(key):
    """The slot of the old 256-slot sign-in table (FNV-1a)."""
    h = 2166136261
    for ch in key.encode():
        h = ((h ^ ch) * 16777619) & 0xFFFFFFFF
    return h % 256


# 4. Mutation: key the table by a hash slot again (rl_find comparing fnv(key) % 256), or drop
# the per-user key: 20 wrong passwords from an address whose key shares the user's slot, then
# the right one, gets in.
def test_4_rate_limit():
    slot = fnv_slot("a:127.0.0.1")
    name = next("c%d" % i for i in range(100000) if fnv_slot("u:c%d" % i) == slot)
    add_user(DB, name, "member", PW)
    for _ in range(20):
        st, _, _ = sign_in(S, name, "wrong-password")
        check(st in (401, 429), "a wrong password: %d" % st)
    st, h, j = sign_in(S, name, PW)
    check(st == 429 and int(h.get("retry-after", "0")) > 0,
          "20 wrong passwords then the right one: %d %s %s" % (st, h.get("retry-after"), j))
    st, _, _ = sign_in(S, name, PW, src="127.0.0.77")  # the user is locked from anywhere
    check(st == 429, "the locked user from another address: %d" % st)
    st, _, _ = sign_in(S, "other", PW, src="127.0.0.78")  # another user, another address
    check(st == 201, "another user from another address: %d" % st)
    st, _, _ = sign_in(S, "other", PW)  # the address is locked for every name
    check(st == 429, "another user from the locked address: %d" % st)
    # behind a trusted proxy the lock-out is per forwarded address, not for everyone
    p = Server(DB, "--trusted-proxy", "127.0.0.9/32")
    for i in range(6):
        sign_in(p, "ghost%d" % i, "wrong-password", src="127.0.0.9",
                headers={"X-Forwarded-For": "10.1.1.1"})
    st, _, _ = sign_in(p, "other", PW, src="127.0.0.9", headers={"X-Forwarded-For": "10.1.1.1"})
    check(st == 429, "the forwarded address that failed: %d" % st)
    st, _, _ = sign_in(p, "other", PW, src="127.0.0.9",
                       headers={"X-Forwarded-For": "6.6.6.6, 10.1.1.2"})
    check(st == 201, "another client through the proxy is locked out: %d" % st)
    # X-Forwarded-For from anyone but the proxy is not believed
    for i in range(6):
        sign_in(p, "ghost%d" % (10 + i), "wrong-password", src="127.0.0.10",
                headers={"X-Forwarded-For": "10.9.9.%d" % i})
    st, _, _ = sign_in(p, "other", PW, src="127.0.0.10", headers={"X-Forwarded-For": "10.9.9.99"})
    check(st == 429, "an untrusted X-Forwarded-For escaped the lock-out: %d" % st)
    p.stop()


# 5. Mutation: in http_authorise, return 0 for a route open to anyone (sign-up) before the
# scope check, as before: an admin's read token creates an admin under --signup.
def test_5_token_scope():
    for role in ("admin", None):
        body = {"user": "sneaky%s" % (role or ""), "password": PW}
        if role:
            body["role"] = role
        st, _, j = req(S, "POST", "/api/v1/users", body, tok=T_ADMIN_READ)
        check(st == 403, "a read token made a user (%s): %d %s" % (role, st, j))
    check(sql(DB, "SELECT count(*) FROM users WHERE name LIKE 'sneaky%'")[0][0] == 0,
          "a user was stored")
    for method, path, body in [("POST", "/api/v1/jobs", EXP),
                               ("POST", "/api/v1/schedules", {"job": EXP, "every": "24h"}),
                               ("POST", "/api/v1/results", doc()),
                               ("DELETE", "/api/v1/jobs/1", None)]:
        st, _, j = req(S, method, path, body, tok=T_MEM_READ)
        check(st == 403, "a read token: %s %s: %d %s" % (method, path, st, j))
    st, _, _ = req(S, "POST", "/api/v1/users", {"user": "fine", "password": PW}, tok=T_ADMIN)
    check(st == 201, "an admin's submit token makes users: %d" % st)


# 6. Mutation: in h_results_new, keep a document's "user" as it is (the old "unless the
# document names one"): a member stores runs as the admin or as anyone invented.
def test_6_upload_owner():
    for who in ("root", "nobody-at-all"):
        st, _, j = req(S, "POST", "/api/v1/results", doc(user=who), tok=T_MEM_UP)
        check(st == 403, "a member uploaded as %s: %d %s" % (who, st, j))
    st, _, j = req(S, "POST", "/api/v1/results", doc(user="ghost"), tok=T_ADMIN)
    check(st == 400, "an admin uploaded for a user who does not exist: %d %s" % (st, j))
    st, _, j = req(S, "POST", "/api/v1/results", doc(), tok=T_MEM_UP)
    check(st == 201, "a member's own upload: %d %s" % (st, j))
    mine = j["run_id"]
    st, _, j = req(S, "POST", "/api/v1/results", doc(user="MEM"), tok=T_MEM)
    check(st == 201, "a member naming itself: %d %s" % (st, j))
    st, _, j = req(S, "POST", "/api/v1/results", doc(user="other"), tok=T_ADMIN)
    check(st == 201, "an admin on behalf of an existing user: %d %s" % (st, j))
    on_behalf = j["run_id"]
    users = dict(sql(DB, "SELECT id, user FROM runs WHERE id IN (?, ?)", mine, on_behalf))
    check(users == {mine: "mem", on_behalf: "other"}, "stored as: %s" % users)
    check(sql(DB, "SELECT count(*) FROM runs WHERE user IN ('root', 'nobody-at-all', "
                  "'ghost')")[0][0] == 0, "a run stored as someone else")


# 7. Mutation: safe_next without the control-character test (only "//" and "/\\" refused):
# /login?next=/%09/evil.example redirects to another site.
def test_7_login_next():
    _, _, j = sign_in(S, "mem", PW, src="127.0.0.7")
    cookie = {"Cookie": "benchaas_session=" + j["token"]}
    bad = ["/%09/evil.example/x", "/%0A/evil.example", "/%0d/evil.example", "//evil.example",
           "/%5Cevil.example", "/\\evil.example", "https://evil.example/", "/%5C/evil.example",
           "%2F%2Fevil.example", "/%7F/evil.example", "evil.example"]
    for n in bad:
        st, h, _ = req(S, "GET", "/login?next=" + n, headers=cookie, src="127.0.0.7")
        check(st in (302, 303) and h.get("location") == "/",
              "next=%s: %d Location %r" % (n, st, h.get("location")))
    st, h, _ = req(S, "GET", "/login?next=/jobs%3Fstate%3Dqueued", headers=cookie,
                   src="127.0.0.7")
    check(h.get("location") == "/jobs?state=queued", "a same-site next: %r" % h.get("location"))


# 8. Mutation: answer_key (answers.c) writing the decoded arguments as "k=v&..." without encoding them:
# `?plugin=trivial%26limit%3D3` and `?plugin=trivial&limit=3` share an entry.
def test_8_cache_key():
    for _ in range(5):
        req(S, "POST", "/api/v1/results", doc(), tok=T_ADMIN)
    st, _, j = req(S, "GET", "/api/v1/runs?plugin=trivial%26limit%3D3", tok=T_MEM)
    check(st == 200 and j["runs"] == [], "plugin 'trivial&limit=3' has runs: %s" % j)
    st, _, j = req(S, "GET", "/api/v1/runs?plugin=trivial&limit=3", tok=T_MEM)
    check(st == 200 and len(j["runs"]) == 3, "the poisoned answer: %s" % j)
    st, _, j = req(S, "GET", "/api/v1/runs?plugin=trivial&limit", tok=T_MEM)
    check(st == 200, "an argument without a value: %d" % st)


def slow_client(src, port, stop, socks, tried):
    """One connection that sends a request head one byte a second (slow loris)."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(src, 0))
    except OSError:
        tried.append(src)
        return
    socks.append(s)
    tried.append(src)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        while not stop.is_set():
            s.sendall(b"a")
            stop.wait(1.0)
    except OSError:
        pass


# 9. Mutation: drop the watchdog's shutdown() (no header timeout: 288 slow connections still
# open after it), or HTTP_PER_IP_DEFAULT 128 as before (1 152 slow connections from 9
# addresses take every connection there is: another client waits 5 s).
def test_9_slow_connections():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    out, _ = bx("serve", "--help")
    check(all(o in out for o in ("--header-timeout", "--max-conns", "--max-conns-per-address",
                                 "--trusted-proxy")), "serve --help: " + out)
    p = Server(DB, "--header-timeout", "6")
    stop, socks, tried = threading.Event(), [], []
    t0 = time.time()
    for a in range(2, 11):
        for _ in range(128):
            threading.Thread(target=slow_client, args=("127.0.0.%d" % a, p.port, stop, socks,
                                                       tried), daemon=True).start()
    while len(tried) < 9 * 128 and time.time() - t0 < 5:
        time.sleep(0.05)
    time.sleep(0.5)  # the server has taken what it takes
    check(time.time() - t0 < 5.5, "1 152 connections took %.1f s" % (time.time() - t0))
    while time.time() - t0 < 10:
        t1 = time.time()
        try:
            st, _, _ = req(p, "GET", "/api/v1/me", tok=T_MEM, src="127.0.0.200")
        except OSError as e:
            st = str(e)
        check(st == 200 and time.time() - t1 < 3,
              "another client during the slow loris: %s after %.1f s" % (st, time.time() - t1))
        time.sleep(0.5)
    time.sleep(1)
    # every slow connection the server took is closed by now (6 s for a head)
    open_ = 0
    for s in list(socks):
        try:
            s.settimeout(0.01)
            if s.recv(1) != b"":
                open_ += 1
        except socket.timeout:
            open_ += 1
        except OSError:
            pass
    stop.set()
    for s in socks:
        s.close()
    check(open_ == 0, "%d slow connections still open after the header timeout" % open_)
    p.stop()
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


# 10. Mutation: account_remove deleting only the tokens and the user (as before), or
# submit_due_schedules without its "user IN (enabled users)": the jobs and schedules of a
# removed or disabled account still run, and a new account of the name inherits them.
def test_10_removed_account():
    add_user(DB, "gone", "member", PW)
    sql(DB, "INSERT INTO jobs(user, plugin, name, experiment_json, state, npoints, created_at) "
            "VALUES ('gone', 'trivial', 'q', '{}', 'queued', 0, '2026-01-01T00:00:00Z')")
    sql(DB, "INSERT INTO schedules(user, experiment_json, every_seconds, next_at, created_at) "
            "VALUES ('gone', ?, 86400, '2999-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
        json.dumps(EXP))
    bx("user", "remove", "gone", "--db", DB)
    check(sql(DB, "SELECT state FROM jobs WHERE user = 'gone'") == [("cancelled",)],
          "a removed account's job: %s" % sql(DB, "SELECT state FROM jobs WHERE user = 'gone'"))
    check(sql(DB, "SELECT count(*) FROM schedules WHERE user = 'gone'")[0][0] == 0,
          "a removed account's schedule is left")
    st, _, _ = req(S, "POST", "/api/v1/users", {"user": "gone", "password": PW})  # sign-up
    check(st == 201, "signing up again: %d" % st)
    # disabled: its queued job is cancelled, its schedule waits
    add_user(DB, "dis", "member", PW)
    sql(DB, "INSERT INTO jobs(user, plugin, name, experiment_json, state, npoints, created_at) "
            "VALUES ('dis', 'trivial', 'q', '{}', 'queued', 0, '2026-01-01T00:00:00Z')")
    admin = Browser(S, "127.0.0.40").sign_in("root", PW)
    st, _, text = admin.post("/admin/users/dis", {"action": "disable"}, "/admin/users")
    check(st == 200, "disable: %d %s" % (st, text[:300]))
    check(sql(DB, "SELECT state FROM jobs WHERE user = 'dis'") == [("cancelled",)],
          "a disabled account's queued job: %s" % sql(DB, "SELECT state FROM jobs WHERE user = "
                                                          "'dis'"))
    sql(DB, "INSERT INTO schedules(user, experiment_json, every_seconds, next_at, created_at) "
            "VALUES ('dis', ?, 86400, '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z')",
        json.dumps(EXP))
    time.sleep(2.5)  # five ticks of the scheduler
    check(sql(DB, "SELECT count(*) FROM jobs WHERE user = 'dis' AND schedule_id IS NOT NULL")[0][0]
          == 0, "a disabled account's schedule fired")
    # 13: a wrong password is not told that the account is disabled; the right one is
    st, _, j = sign_in(S, "dis", "wrong-password", src="127.0.0.13")
    check(st == 401 and "disabled" not in json.dumps(j), "a wrong password learns: %s" % j)
    b = Browser(S, "127.0.0.14")
    st, _, text = b.post("/login", {"user": "dis", "password": "wrong-password"}, "/login")
    check(st == 401 and "disabled" not in text, "the sign-in page told a wrong password")
    st, _, text = b.post("/login", {"user": "dis", "password": PW}, "/login")
    check(st == 401 and "disabled" in text, "the right password is not told: %d" % st)


class Browser:
    """A cookie jar: what a browser without JavaScript does."""

    def __init__(self, srv, src):
        self.srv, self.src, self.cookies = srv, src, {}

    def req(self, method, path, form=None):
        c = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=60,
                                       source_address=(self.src, 0))
        h = {}
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        text = r.read().decode()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";")[0]
        c.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, text

    def post(self, path, form, page):
        _, _, text = self.req("GET", page)
        m = re.search(r'name="csrf" value="([0-9a-f]{64})"', text)
        check(m, "no csrf field on %s" % page)
        return self.req("POST", path, dict(form, csrf=m.group(1)))

    def sign_in(self, user, pw):
        st, h, _ = self.post("/login", {"user": user, "password": pw}, "/login")
        check(st == 303, "sign-in of %s: %d" % (user, st))
        return self


# 11. Mutation: http_server_free calling MHD_stop_daemon at once (no wait for in_flight): the
# request whose body is still coming when SIGTERM arrives gets a closed socket.
def test_11_sigterm_in_flight():
    p = Server(DB)
    body = json.dumps({"user": "latecomer", "password": PW}).encode()
    s = socket.create_connection(("127.0.0.1", p.port), timeout=30)
    s.sendall(b"POST /api/v1/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
              T_ADMIN.encode() + b"\r\nContent-Type: application/json\r\nContent-Length: " +
              str(len(body)).encode() + b"\r\n\r\n" + body[:10])
    time.sleep(0.5)
    p.p.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    try:
        s.sendall(body[10:])
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    except OSError as e:
        answer = str(e).encode()
    s.close()
    check(answer.startswith(b"HTTP/1.1 201"), "the request in flight: %r" % answer[:200])
    check(p.p.wait(30) == 0, "exit code %s" % p.p.returncode)
    check(sql(DB, "SELECT count(*) FROM users WHERE name = 'latecomer'")[0][0] == 1,
          "the user is not stored")


# 12. Mutation: h_healthz without write_probe, or without stuck_jobs: it says ok while no
# write can be made (the database locked by another process) or a job is stuck running.
def test_12_healthz():
    st, _, j = req(S, "GET", "/healthz")
    check(st == 200 and j["status"] == "ok", "healthz: %d %s" % (st, j))
    time.sleep(1.1)  # the write is proved at most once a second
    c = sqlite3.connect(DB, timeout=30, isolation_level=None)
    c.execute("BEGIN EXCLUSIVE")
    st, _, j = req(S, "GET", "/healthz")
    c.execute("ROLLBACK")
    c.close()
    time.sleep(1.1)
    check(st == 503 and "writ" in j["status"], "healthz while no write can be made: %d %s" %
          (st, j))
    sql(DB, "INSERT INTO jobs(user, plugin, name, experiment_json, state, npoints, created_at, "
            "started_at) VALUES ('mem', 'trivial', 'stuck', '{\"timeout\": 60}', 'running', 1, "
            "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")
    st, _, j = req(S, "GET", "/healthz")
    sql(DB, "UPDATE jobs SET state = 'failed' WHERE name = 'stuck'")
    check(st == 503 and "stalled" in j["status"], "healthz with a job stuck: %d %s" % (st, j))
    st, _, j = req(S, "GET", "/healthz")
    check(st == 200, "healthz after: %d %s" % (st, j))


# 13. Mutations, one per check: http_body_json without json_has_nul; upload_valid without its
# uuid, time or plugin checks; h_schedules_new without its cap; g_compare showing the message
# without http_scrub; head_limits gone (MHD's own HTML, or no limit at all); account_add
# storing the name as given.  (The disabled-account message is checked in test_10.)
def test_13_smaller():
    # \u0000 cut a string short: "mem\u0000x" signed in as mem
    st, _, j = req(S, "POST", "/api/v1/session", raw=b'{"user":"mem\\u0000x","password":"' +
                   PW.encode() + b'"}', src="127.0.0.31")
    check(st == 400, "a NUL in a JSON string: %d %s" % (st, j))
    st, _, j = req(S, "POST", "/api/v1/session", raw=b'{"user":"mem\\\\u0000","password":"x"}',
                   src="127.0.0.32")
    check(st == 401, "an escaped backslash before u0000 is text: %d %s" % (st, j))
    # uploads: uuid form, sane times, known plugins (no new /metrics series)
    for bad in [dict(doc(), uuid="not-a-uuid"), doc(started_at="9999-01-01T00:00:00Z"),
                doc(finished_at="1970-01-02T00:00:00Z"), doc(plugin="invented_plugin")]:
        st, _, j = req(S, "POST", "/api/v1/results", bad, tok=T_MEM_UP)
        check(st == 400, "a bad upload was taken: %d %s %s" % (st, j, bad))
    _, _, m = req(S, "GET", "/metrics")
    check("invented_plugin" not in m, "an invented plugin in /metrics")
    # schedules: at most quotas.schedules (3 here) per user
    for i in range(3):
        st, _, j = req(S, "POST", "/api/v1/schedules",
                       {"job": dict(EXP, name="s%d" % i), "every": "24h"}, tok=T_MEM)
        check(st == 201, "schedule %d: %d %s" % (i, st, j))
    st, h, j = req(S, "POST", "/api/v1/schedules", {"job": EXP, "every": "24h"}, tok=T_MEM)
    check(st == 429 and "retry-after" in h, "a fourth schedule: %d %s" % (st, j))
    st, _, j = req(S, "POST", "/api/v1/schedules", {"job": EXP, "every": "24h"}, tok=T_ADMIN)
    check(st == 201, "another user's schedule: %d %s" % (st, j))
    # 414 and 431 are error JSON
    st, h, j = req(S, "GET", "/api/v1/me?x=" + "a" * 9000, tok=T_MEM)
    check(st == 414 and isinstance(j, dict) and j["error"]["status"] == 414, "414: %d %r" %
          (st, str(j)[:200]))
    st, h, j = req(S, "GET", "/api/v1/me", tok=T_MEM, headers={"X-Big": "b" * 20000})
    check(st == 431 and isinstance(j, dict) and j["error"]["status"] == 431, "431: %d %r" %
          (st, str(j)[:200]))
    # errors never show a server path (the database's, the server's folder)
    b = Browser(S, "127.0.0.41").sign_in("mem", PW)
    for q, said in (("a=999999&b=1", "no run"), ("a=plugin%3Dnone&b=1", "not something this page can compare")):
        st, _, text = b.req("GET", "/compare?" + q)
        check(st == 400 and DB not in text and TMP not in text and said in text,
              "/compare?%s shows a server path: %d %s" % (q, st, re.findall(r'alert">[^<]*', text)))
    # user names are case-folded: Alice and alice are one account
    st, _, j = req(S, "POST", "/api/v1/users", {"user": "Alice", "password": PW}, tok=T_ADMIN)
    check(st == 201 and j["user"] == "alice", "Alice: %d %s" % (st, j))
    st, _, j = req(S, "POST", "/api/v1/users", {"user": "alice", "password": PW}, tok=T_ADMIN)
    check(st == 409, "alice next to Alice: %d %s" % (st, j))
    bx("user", "add", "ALICE", "--password-stdin", "--db", DB, stdin=PW + "\n", rc=2)
    st, _, j = sign_in(S, "ALICE", PW, src="127.0.0.33")
    check(st == 201 and j["user"] == "alice", "signing in as ALICE: %d %s" % (st, j))
    # an account made before with capitals keeps its name and is found by any spelling
    h = sql(DB, "SELECT password_hash FROM users WHERE name = 'mem'")[0][0]
    sql(DB, "INSERT INTO users(name, role, password_hash, created_at) VALUES ('OldBob', "
            "'member', ?, '2020-01-01T00:00:00Z')", h)
    st, _, j = sign_in(S, "oldbob", PW, src="127.0.0.34")
    check(st == 201 and j["user"] == "OldBob", "an old mixed-case account: %d %s" % (st, j))


TESTS = [test_4_rate_limit, test_5_token_scope, test_6_upload_owner, test_7_login_next,
         test_8_cache_key, test_9_slow_connections, test_10_removed_account,
         test_11_sigterm_in_flight, test_12_healthz, test_13_smaller]
wanted = sys.argv[1:]
failed = []
for t in TESTS:
    if wanted and not any(w in t.__name__ for w in wanted):
        continue
    try:
        t()
        print("ok   " + t.__name__, file=sys.stderr)
    except SystemExit:
        failed.append(t.__name__)
        print("FAIL " + t.__name__, file=sys.stderr)
if failed:
    print("failed: " + " ".join(failed), file=sys.stderr)
    sys.exit(1)
