"""serve_lib.py -- helpers for the `benchaas serve` tests (tests/LIBRARY/FILE/CASE.py).

Each test makes a temporary folder, creates accounts with the CLI, starts
`benchaas serve --listen 127.0.0.1:0`, reads the port from its one
"listening on" line, and talks to it over a real socket (http.client).
"""
import atexit
import http.client
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

BENCHAAS = os.environ["BENCHAAS"]
PLUGINS = os.environ.get("BENCHAAS_TEST_PLUGINS", "")

TMP = tempfile.mkdtemp(prefix="benchaas-serve-")
os.chdir(TMP)
if not os.environ.get("BENCHAAS_TEST_KEEP"):
    atexit.register(lambda: shutil.rmtree(TMP, ignore_errors=True))
else:
    print("test folder: " + TMP, file=sys.stderr)
os.environ["BENCHAAS_PLUGIN_PATH"] = os.path.join(PLUGINS, "good")

# The jobs' folders of a server that cannot reach its database's folder as the run-as
# user (root's tests: TMP is 0700) go to /tmp/benchaas-scratch-DEV-INO, named after that
# folder; a server stopped cleanly removes it, a killed one (Server.kill at exit) cannot.
# Removed at exit after the servers are gone (atexit runs this before TMP's removal and
# after every Server.kill, registered later), and only the one of a folder of this test's
# that was not there before its server started.
_SCRATCH = []


def _remove_scratch():
    for d in _SCRATCH:
        shutil.rmtree(d, ignore_errors=True)


atexit.register(_remove_scratch)
os.environ.pop("BENCHAAS_DB", None)


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    for s in Server.started:
        s.dump()
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def wait_until(cond, what, timeout=90):
    """cond()'s first true value, polled every 0.1 s; fails with WHAT (a text, or a function
    that makes it) after TIMEOUT seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.1)
    fail(what() if callable(what) else what)


def new_level_history(db):
    """The alert tests' history: 33 runs of trivial with a fixed rate (noise = 0: 1e6), the
    first 30 made twice as fast by hand, so the last 3 (and a scheduled run after them) are
    a new level, -50 %; started a second apart, an hour ago."""
    cfg = os.path.join(os.path.dirname(os.path.abspath(db)), "hist.cfg")
    with open(cfg, "w") as f:
        f.write("experiments = (%s);\n" % ", ".join(
            '{ name = "h%d"; plugin = "trivial"; repetitions = 1; params = { noise = 0.0; }; }' % i
            for i in range(33)))
    bx("run", cfg, "--db", db)
    check(sql(db, "SELECT count(*) FROM runs WHERE status = 'ok'") == [(33,)], "history runs")
    sql(db, "UPDATE metrics SET value = 2e6 WHERE name = 'rate' AND run_id <= 30")
    sql(db, "UPDATE runs SET started_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 hour', "
            "printf('+%d seconds', id))")


def wait_listening(port, timeout=30):
    """Wait until a TCP socket listens on PORT (any address), read from /proc/net/tcp*
    without connecting: a probe connection would be taken by a one-client server (iperf's)
    for its client.  A fixed sleep is not enough under the sanitizers."""
    deadline = time.time() + timeout
    want = ":%04X" % port
    while time.time() < deadline:
        for f in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                with open(f) as fh:
                    next(fh)
                    for line in fh:
                        col = line.split()
                        if col[1].endswith(want) and col[3] == "0A":  # 0A: LISTEN
                            return
            except OSError:
                pass
        time.sleep(0.05)
    fail("nothing listens on port %d after %d s" % (port, timeout))


def bx(*args, stdin=None, rc=0):
    """Run the CLI; returns (stdout, stderr); fails on another exit code."""
    p = subprocess.run([BENCHAAS] + list(args), input=stdin, capture_output=True, text=True,
                       timeout=60)
    if rc is not None and p.returncode != rc:
        fail("benchaas %s: exit %d, wanted %d\n%s%s" % (" ".join(args), p.returncode, rc,
                                                        p.stdout, p.stderr))
    return p.stdout, p.stderr


def add_user(db, name, role, password=None):
    bx("user", "add", name, "--role", role, "--password-stdin", "--db", db,
       stdin=(password or name + "-password") + "\n")


def token(db, name, *extra):
    out, _ = bx("token", "create", name, "--db", db, *extra)
    return out.strip()


def sql(db, query, *args):
    c = sqlite3.connect(db, timeout=30)
    try:
        rows = c.execute(query, args).fetchall()
        c.commit()
        return rows
    finally:
        c.close()


class Server:
    started = []

    def __init__(self, db, *args, env=None):
        self.db = db
        st = os.stat(os.path.dirname(os.path.abspath(db)))
        scratch = "/tmp/benchaas-scratch-%x-%x" % (st.st_dev, st.st_ino)
        if not os.path.lexists(scratch) and scratch not in _SCRATCH:
            _SCRATCH.append(scratch)
        self.log = open(os.path.join(TMP, "serve-%d.log" % len(Server.started)), "w+")
        e = dict(os.environ)
        if env:
            e.update(env)
        self.p = subprocess.Popen([BENCHAAS, "serve", "--listen", "127.0.0.1:0", "--db", db]
                                  + list(args), stderr=self.log, stdout=subprocess.DEVNULL,
                                  env=e)
        Server.started.append(self)
        self.port = None
        deadline = time.time() + 30
        while time.time() < deadline and self.port is None:
            if self.p.poll() is not None:
                fail("the server exited with %d before listening" % self.p.returncode)
            self.log.seek(0)
            for line in self.log.read().splitlines():
                m = re.fullmatch(r"benchaas serve: listening on http://127\.0\.0\.1:(\d+)", line)
                if m:
                    self.port = int(m.group(1))
            time.sleep(0.05)
        check(self.port, "no 'listening on' line")
        atexit.register(self.kill)

    def dump(self):
        self.log.seek(0)
        sys.stderr.write("--- server log\n" + self.log.read()[-6000:])

    def request(self, method, path, body=None, tok=None, ctype="application/json",
                headers=None, raw=None):
        """(status, headers dict, parsed JSON or text)."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        h = dict(headers or {})
        if tok:
            h["Authorization"] = "Bearer " + tok
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None and ctype:
            h["Content-Type"] = ctype
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        text = r.read().decode()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        try:
            return r.status, hdrs, json.loads(text)
        except ValueError:
            return r.status, hdrs, text

    def expect(self, status, method, path, body=None, tok=None, **kw):
        st, h, j = self.request(method, path, body, tok, **kw)
        if st != status:
            fail("%s %s: status %d, wanted %d: %s" % (method, path, st, status, j))
        if status >= 400:
            check(isinstance(j, dict) and j.get("error", {}).get("status") == status,
                  "%s %s: not a JSON error: %s" % (method, path, j))
        return j, h

    def wait_job(self, job, tok, states=("done", "failed", "cancelled"), timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            j, _ = self.expect(200, "GET", "/api/v1/jobs/%d" % job, tok=tok)
            if j["job"]["state"] in states:
                return j["job"]
            time.sleep(0.1)
        fail("job %d did not reach %s: %s" % (job, states, sql(self.db, "SELECT job_id, idx, state, run_uuid, run_id FROM job_points WHERE job_id = ?", job)))

    def eventually(self, path, pred, tok, within=10):
        """GET path until pred(its JSON) holds: the JSON.  Kept answers (answers.h) follow a
        change within one refresh, not at once."""
        deadline = time.time() + within
        while True:
            j, _ = self.expect(200, "GET", path, tok=tok)
            if pred(j) or time.time() > deadline:
                return j
            time.sleep(0.02)

    def stop(self, sig=signal.SIGTERM):
        if self.p.poll() is None:
            self.p.send_signal(sig)
            try:
                return self.p.wait(30)
            except subprocess.TimeoutExpired:
                fail("the server did not stop on signal %d" % sig)
        return self.p.returncode

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
