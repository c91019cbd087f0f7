"""Submitted work runs apart from the server, inside the site's policy (issue 25, part A).

A member's parameters that name files or hosts (BX_PARAM_PATH_READ/WRITE, BX_PARAM_HOST)
are checked against `serve --allow-path/--allow-host` before anything runs; the plugin's
own check and the runs happen in confined children (run-as user, Landlock), in the job's
own folder.  Each block is one finding of the issue:
  1. hpl_dat naming the database: 400 on params.hpl_dat, the database intact, uploads after
     it kept across a restart;
  2. hpl_dat=/etc/shadow or a secret file: 400, no line of the file and no server path in
     any answer (the API and the submit page's point count);
  3. IOR path outside the allowed folders refused, inside the job's folder or an allowed one
     it runs; IOR keep=true in the job's folder (removed at the job's end) refused on
     params.keep, in an allowed folder kept (mutation: keeps_in_job_dir() returns 0, the
     job is accepted and its files silently removed); iperf host not allowed refused, an
     allowed one (127.0.0.1) runs;
  and a third-party plugin (tests/plugins/writer.c) with a BX_PARAM_PATH_WRITE parameter,
  refused outside and written inside, whose run cannot write or read outside either; its
  check's error lands on its field; a sweep is counted (quota) before it is expanded.
"""
import glob
import http.client
import re
import urllib.parse

from serve_lib import *

os.chmod(TMP, 0o711)  # the run-as user (nobody, under root) reaches the allowed folder
os.environ["BENCHAAS_PLUGIN_PATH"] = os.path.join(PLUGINS, "good") + ":" + \
    os.path.join(PLUGINS, "policy")
DB = "iso.db"
DBPATH = os.path.join(TMP, DB)
ALLOWED = os.path.join(TMP, "allowed")
OPEN = os.path.join(TMP, "open")  # writable by anyone, but not allowed: only Landlock stops a run
for d in (ALLOWED, OPEN):
    os.mkdir(d)
    os.chmod(d, 0o1777)
SECRET = "TOPSECRET-7f3a9c"
with open(os.path.join(TMP, "secret.txt"), "w") as f:
    f.write("%s line one\n%s 12 34\n" % (SECRET, SECRET))
with open(os.path.join(ALLOWED, "secret.dat"), "w") as f:  # readable, but not an HPL.dat
    f.write("HPL\n%s\nfile\nx\n1 sizes\n%s 34 Ns\n" % (SECRET, SECRET))
add_user(DB, "ann", "member")
add_user(DB, "up", "member")
T = token(DB, "ann")
UP = token(DB, "up", "--scope", "upload")
POLICY = ("--allow-path", ALLOWED, "--allow-host", "127.0.0.0/8")
# Under the sanitizer build an MPI worker (IOR, HPL) reports leaks of OpenMPI's unloaded MCA
# components at exit, which no suppression can match: as in serve.jobs.plugins.
asan = os.environ.get("ASAN_OPTIONS")
ENV = {"ASAN_OPTIONS": (asan + ":" if asan else "") + "detect_leaks=0"}
s = Server(DB, *POLICY, env=ENV)
answers = []  # every answer's text, searched for secrets at the end


def submit(exp, status):
    st, _, j = s.request("POST", "/api/v1/jobs", exp, tok=T)
    answers.append(json.dumps(j))
    if st != status:
        fail("POST /api/v1/jobs %s: %d, wanted %d: %s" % (exp, st, status, j))
    return j


def refused_on(exp, field):
    j = submit(exp, 400)
    check(field in j["error"].get("fields", {}), "%s: not refused on %s: %s" % (exp, field, j))
    return j["error"]["fields"][field]


def run_of(j):
    job = s.wait_job(j["job"]["id"], T, timeout=90)
    check(job["state"] == "done" and job["runs"], "job: %s" % job)
    r, _ = s.expect(200, "GET", "/api/v1/runs/%d" % job["runs"][0], tok=T)
    answers.append(json.dumps(r))
    return {k: v["value"] for k, v in r["run"]["metrics"].items()}


# ---- the kinds are part of the plugin table: describe and /api/v1/plugins show them
j, _ = s.expect(200, "GET", "/api/v1/plugins", tok=T)
kinds = {(p["name"], q["name"]): q.get("kind") for p in j["plugins"] for q in p["params"]}
check(kinds[("hpl", "hpl_dat")] == "path_read" and kinds[("ior", "path")] == "path_write"
      and kinds[("iperf", "host")] == "host" and kinds[("writer", "out")] == "path_write"
      and kinds[("hpl", "N")] is None, "kinds: %s" % {k: v for k, v in kinds.items() if v})
out, _ = bx("describe", "iperf")
check(re.search(r"host .*a host it connects to", out), "describe iperf: %s" % out)

# ---- 1. hpl_dat naming the database, by every route: refused, nothing opened it
before = os.stat(DBPATH)
os.symlink(DBPATH, os.path.join(ALLOWED, "link.dat"))
os.link(DBPATH, os.path.join(ALLOWED, "hard.dat"))
for v in (DB, DBPATH, DBPATH + "-wal", ALLOWED + "/../" + DB, ALLOWED + "/link.dat",
          ALLOWED + "/hard.dat"):
    msg = refused_on({"plugin": "hpl", "params": {"hpl_dat": v}}, "params.hpl_dat")
    # relative: in the job's own (empty) folder; the others by the policy, before any reading
    check(("cannot open" in msg) if v == DB else ("outside the folders" in msg),
          "hpl_dat=%s: %s" % (v, msg))
os.unlink(os.path.join(ALLOWED, "hard.dat"))
doc = {"result_version": 1, "plugin": "trivial", "plugin_version": "1.0.0", "status": "ok",
       "started_at": "2026-11-20T10:00:00Z", "finished_at": "2026-11-20T10:00:01Z",
       "host": "far01", "ranks": 1, "threads": 1, "params": {"value": {"value": "9",
                                                                          "type": "double"}},
       "metrics": {"rate": {"value": 123.5, "unit": "ops/s", "better": "higher"}}}
uuids = ["0d7d3f4e-9a52-4c1e-8f0e-6b1b3e2b0a%02d" % i for i in range(6)]
for u in uuids:
    s.expect(201, "POST", "/api/v1/results", dict(doc, uuid=u), tok=UP)
check(s.stop() == 0, "exit code on SIGTERM")
check(sql(DB, "PRAGMA integrity_check") == [("ok",)], "integrity")
check(os.stat(DBPATH).st_ino == before.st_ino, "the database was replaced")
s = Server(DB, *POLICY, env=ENV)
kept = sql(DB, "SELECT uuid FROM runs WHERE uuid LIKE '0d7d3f4e%' ORDER BY uuid")
check([k[0] for k in kept] == uuids, "uploads after the attempt, across a restart: %s" % kept)

# ---- 2. files read: /etc/shadow, a secret of the test's, one in an allowed folder
refused_on({"plugin": "hpl", "params": {"hpl_dat": "/etc/shadow"}}, "params.hpl_dat")
refused_on({"plugin": "hpl", "params": {"hpl_dat": os.path.join(TMP, "secret.txt")}},
           "params.hpl_dat")
msg = refused_on({"plugin": "hpl", "params": {"hpl_dat": os.path.join(ALLOWED, "secret.dat")}},
                 "params.hpl_dat")
check(re.search(r"secret\.dat:\d+:", msg), "the line number is given: %s" % msg)


class Browser:
    """Just enough of a browser (cookies, the CSRF field) for the submit page."""

    def __init__(self):
        self.cookies = {}

    def req(self, method, path, form=None):
        c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
        h = {"Cookie": "; ".join("%s=%s" % kv for kv in self.cookies.items())}
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        if body is not None:
            h["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        text = r.read().decode()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";")[0]
        c.close()
        return r.status, text

    def csrf(self, path):
        _, text = self.req("GET", path)
        return re.search(r'name="csrf" value="([0-9a-f]{64})"', text).group(1)


b = Browser()
b.req("POST", "/login", {"csrf": b.csrf("/login"), "user": "ann", "password": "ann-password"})
for v in ("/etc/shadow", os.path.join(ALLOWED, "secret.dat")):
    st, text = b.req("POST", "/submit/hpl", {"csrf": b.csrf("/submit/hpl"), "action": "count",
                                             "hpl_dat": v})
    answers.append(text)
    check(st == 400, "Count the points with hpl_dat=%s: %d" % (v, st))

# an HPL.dat in an allowed folder is read, apart, and its points counted (2 Ns)
DAT = ["HPL", "x", "x", "6", "2 # Ns", "100 200 Ns", "1 # NBs", "32 NBs", "0 PMAP", "1 # grids",
       "1 Ps", "1 Qs", "16.0 threshold", "1 # pfact", "2 PFACTs", "1 # nbmin", "4 NBMINs",
       "1 # ndiv", "2 NDIVs", "1 # rfact", "1 RFACTs", "1 # bcast", "0 BCASTs", "1 # depth",
       "0 DEPTHs", "2 SWAP", "64 swapping threshold", "0 L1", "0 U", "1 Equilibration",
       "8 alignment"]
with open(os.path.join(ALLOWED, "two.dat"), "w") as f:
    f.write("\n".join(DAT) + "\n")
st, text = b.req("POST", "/submit/hpl", {"csrf": b.csrf("/submit/hpl"), "action": "count",
                                         "hpl_dat": os.path.join(ALLOWED, "two.dat")})
check(st == 200 and re.search(r'id="points">These values make 2 ', text),
      "Count the points of an allowed HPL.dat (%d): %s" % (st, re.sub(r"\s+", " ", text)[-800:]))

# ---- 3. IOR path and iperf host
refused_on({"plugin": "ior", "params": {"path": os.path.join(OPEN, "ior.dat")}}, "params.path")
refused_on({"plugin": "ior", "params": {"path": "../ior.dat"}}, "params.path")
small = {"block_size": "1m", "transfer_size": "1m"}
m = run_of(submit({"plugin": "ior", "params": small, "repetitions": 1}, 201))
check(m["write_bw"] > 0, "IOR in the job's folder: %s" % m)
m = run_of(submit({"plugin": "ior", "params": dict(small, path=ALLOWED + "/ior.dat"),
                   "repetitions": 1}, 201))
check(m["write_bw"] > 0, "IOR in an allowed folder: %s" % m)
# keep=true where the files would be removed with the job's folder: refused, not lost
msg = refused_on({"plugin": "ior", "params": dict(small, keep=True)}, "params.keep")
check("removed with the job's folder" in msg, "keep's message: %s" % msg)
refused_on({"plugin": "ior", "params": dict(small, keep=True, path="kept.dat")}, "params.keep")
m = run_of(submit({"plugin": "ior", "params": dict(small, keep=True, path=ALLOWED + "/kept.dat"),
                   "repetitions": 1}, 201))
check(glob.glob(ALLOWED + "/kept.dat*"), "IOR's kept file is gone: %s" % os.listdir(ALLOWED))
check(not os.listdir(OPEN), "IOR wrote outside: %s" % os.listdir(OPEN))
refused_on({"plugin": "iperf", "params": {"mode": "client", "host": "10.1.2.3"}}, "params.host")
refused_on({"plugin": "iperf", "params": {"mode": "client", "host": ["127.0.0.1", "10.0.0.1"]}},
           "params.host")
port = 20000 + os.getpid() % 20000
srv = subprocess.Popen([BENCHAAS, "run", "iperf", "-p", "mode=server", "-p", "port=%d" % port,
                        "-p", "duration=60", "--repetitions", "1", "--db", "cli.db"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wait_listening(port)
m = run_of(submit({"plugin": "iperf", "repetitions": 1, "params": {
    "mode": "client", "host": "127.0.0.1", "port": port, "duration": 1}}, 201))
check(m["throughput"] > 0, "iperf to an allowed host: %s" % m)
srv.wait(30)

# ---- a third-party plugin's path parameter; what its run does beyond it is confined
refused_on({"plugin": "writer", "params": {"out": os.path.join(OPEN, "w")}}, "params.out")
msg = refused_on({"plugin": "writer", "params": {"out": "nosuch/w"}}, "params.out")
check("nosuch/w" in msg, "the plugin's check, on its field: %s" % msg)
st, text = b.req("POST", "/submit/writer", {"csrf": b.csrf("/submit/writer"), "action": "count",
                                            "out": "nosuch/w"})
check(st == 400 and re.search(r'id="e-out"[^>]*>[^<]*nosuch/w', text),
      "the plugin's check, beside its field on the submit page (%d)" % st)
m = run_of(submit({"plugin": "writer", "params": {
    "out": "w.out", "stray": os.path.join(OPEN, "stray"), "peek": DBPATH}}, 201))
check(m["written"] > 0 and m["stray_written"] == 0 and m["peek_read"] == 0,
      "the run strayed: %s" % m)
m = run_of(submit({"plugin": "writer", "params": {
    "out": ALLOWED + "/w.out", "stray": ALLOWED + "/stray", "peek": ALLOWED + "/secret.dat"}},
    201))
check(m == dict(m, stray_written=1, peek_read=1) and os.path.exists(ALLOWED + "/w.out"),
      "inside the allowed folder: %s" % m)
if os.geteuid() == 0:  # the run-as user, nobody by default
    import pwd
    owner = os.stat(ALLOWED + "/w.out").st_uid
    check(owner == pwd.getpwnam("nobody").pw_uid, "the run wrote as uid %d, not nobody" % owner)
check(not os.listdir(OPEN), "a run wrote outside: %s" % os.listdir(OPEN))
check(not glob.glob(DB + ".scratch/job-*"), "job folders left: %s" % os.listdir(DB + ".scratch"))

# ---- the point count comes before the expansion: a million points is over the quota (429),
# not refused after building 100 000 of them
j = submit({"plugin": "trivial", "params": {"count": list(range(1, 1001)),
                                            "value": list(range(1000))}}, 429)
check("1000000 points" in j["error"]["message"], str(j))

# ---- the CLI keeps its freedom
bx("run", "writer", "-p", "out=" + os.path.join(OPEN, "cli.out"), "--db", "cli.db")
check(os.path.exists(os.path.join(OPEN, "cli.out")), "the CLI was confined")

# ---- no answer carried a secret line or a server path of the server's own making
for a in answers:
    check(SECRET not in a and "root:" not in a and ".scratch" not in a and "check-" not in a,
          "an answer leaks: %s" % a[:600])
check(s.stop() == 0, "exit code")
sys.exit(0)
