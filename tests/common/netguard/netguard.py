"""Outgoing connections of submitted work are limited at run time (issue 25).

A host parameter (BX_PARAM_HOST) is checked when the job is submitted; what a plugin
connects to on its own is not a parameter the service can see.  The run's network guard
(core/common/netguard.c: seccomp user notification, the supervisor connects for the run)
refuses a connection to an address outside `serve --allow-host` and lets an allowed one,
and loopback (127.0.0.1), through.  Only loopback addresses are used: 127.0.0.3 is the
allowed host, 127.0.0.2 the one not allowed, both served by one listener on this machine.
  - the writer test plugin dials 127.0.0.2 (plain text, unchecked): refused, EACCES;
  - it dials 127.0.0.3 (allowed) and 127.0.0.1 (loopback): connected;
  - iperf (a real client) to the allowed 127.0.0.3: it measures.
  - the same dial from a thread of the plugin's own: refused too.
Fails when: policy_sandbox leaves the sandbox's network guard off (sb->net = 0), or the
supervisor lets every address through (allowed() returns 1): the dial to 127.0.0.2 connects;
or their_fd() looks the caller up by its thread id alone and answer() lets the call go on
when it cannot (the dial from a thread connects).
"""
import errno
import socket

from serve_lib import *

os.chmod(TMP, 0o711)  # the run-as user (nobody, under root) reaches the job folders
os.environ["BENCHAAS_PLUGIN_PATH"] = os.path.join(PLUGINS, "good") + ":" + \
    os.path.join(PLUGINS, "policy")
DB = "ng.db"
add_user(DB, "ann", "member")
T = token(DB, "ann")
asan = os.environ.get("ASAN_OPTIONS")
ENV = {"ASAN_OPTIONS": (asan + ":" if asan else "") + "detect_leaks=0"}
s = Server(DB, "--allow-host", "127.0.0.3/32", env=ENV)

lis = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lis.bind(("0.0.0.0", 0))
lis.listen(64)
port = lis.getsockname()[1]


def run_of(exp):
    j, _ = s.expect(201, "POST", "/api/v1/jobs", exp, tok=T)
    job = s.wait_job(j["job"]["id"], T, timeout=90)
    check(job["runs"], "job: %s" % job)
    r, _ = s.expect(200, "GET", "/api/v1/runs/%d" % job["runs"][0], tok=T)
    check(r["run"]["status"] == "ok", "run: %s" % r["run"])
    return {k: v["value"] for k, v in r["run"]["metrics"].items()}


def dial(addr):
    return run_of({"plugin": "writer", "params": {"out": "w.out", "dial": "%s:%d" % (addr, port)}})


m = dial("127.0.0.2")
check(m["dial_ok"] == 0 and m["dial_errno"] == errno.EACCES,
      "a connection to 127.0.0.2 (not allowed) was not refused: %s" % m)
m = run_of({"plugin": "writer", "params": {"out": "w.out", "dial": "127.0.0.2:%d" % port,
                                           "dial_thread": True}})
check(m["dial_ok"] == 0 and m["dial_errno"] == errno.EACCES,
      "a connection to 127.0.0.2 from a thread was not refused: %s" % m)
for addr in ("127.0.0.3", "127.0.0.1"):
    m = dial(addr)
    check(m["dial_ok"] == 1, "a connection to %s (allowed) failed: %s" % (addr, m))
print("refused 127.0.0.2, connected 127.0.0.3 and 127.0.0.1")
lis.close()

# iperf, a real client, to the allowed host; its server from the CLI (unconfined)
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    iport = probe.getsockname()[1]
srv = subprocess.Popen([BENCHAAS, "run", "iperf", "-p", "mode=server", "-p", "bind=0.0.0.0",
                        "-p", "port=%d" % iport,
                        "-p", "duration=60", "--repetitions", "1", "--db", "cli.db"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wait_listening(iport)
m = run_of({"plugin": "iperf", "repetitions": 1, "params": {
    "mode": "client", "host": "127.0.0.3", "port": iport, "duration": 1}})
check(m["throughput"] > 0, "iperf to an allowed host: %s" % m)
srv.wait(30)
check(s.stop() == 0, "exit code on SIGTERM")
