"""Push keeps every fact: one quick run of each built-in plugin and of the test plugin,
and the crafted result documents of tests/store/fixtures/, stored in one database and
pushed to a service over another, give the same rows in every table ingest writes
(`store_tests --dump`, which names rows by uuid, host and configuration instead of
ids).  The one difference push makes on purpose: a run's service job ("job") belongs
to the database it was made in, so the receiving service stores none.  A pushed run
belongs to the token's user (an upload never names its owner), so the token here is
that of a service account named as the user who made the runs: then the owner is
the same fact on both sides."""
import glob
import shutil

from serve_lib import *

SOURCE = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
DUMP = os.path.join(os.environ["BENCHAAS_BUILD"], "bin", "store_tests")
if not os.path.exists(DUMP):
    print("SKIP: no store_tests in the build", file=sys.stderr)
    sys.exit(77)

DB = "s.db"
import pwd
ME = pwd.getpwuid(os.getuid()).pw_name.lower()
add_user(DB, ME, "member")
up = token(DB, ME, "--scope", "upload")
s = Server(DB, "--threads", "1")

runs = [["trivial", "-p", "value=3,4"],
        ["stream", "-p", "array_size=20000", "-p", "ntimes=2"],
        ["hpl", "-p", "N=200", "-p", "NB=32"],
        ["iperf", "-p", "mode=loopback", "-p", "duration=1"],
        ["ior", "-p", "path=ior.dat", "-p", "block_size=64k", "-p", "transfer_size=16k"]]
asan = os.environ.get("ASAN_OPTIONS")
for r in runs:
    # (under the sanitizer build, the plugins' MPI workers report OpenMPI's leaks, which
    # tests/lsan.supp cannot match: see tests/serve/jobs/plugins.py; collect, push and the server,
    # what this test is about, keep leak detection on)
    os.environ["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "detect_leaks=0"
    bx("run", *r, "--repetitions", "2", "--tag", "rt", "--db", "one.db", "--quiet")
    if asan is None:
        os.environ.pop("ASAN_OPTIONS", None)
    else:
        os.environ["ASAN_OPTIONS"] = asan
os.makedirs("one.db.spool", exist_ok=True)
fixtures = sorted(glob.glob(os.path.join(SOURCE, "tests", "store", "fixtures", "*.json")))
check(fixtures, "no crafted documents in tests/store/fixtures")
FIXTURE_UUID = "8d1e0c2a-7b7e-4c4f-9a51-"  # the crafted documents' runs
for f in fixtures:
    # a spooled document is named by its run's uuid (collect refuses any other name)
    with open(f) as fh:
        uuid = json.load(fh)["uuid"]
    shutil.copy(f, os.path.join("one.db.spool", uuid + ".result.json"))
bx("collect", "--db", "one.db")
n = sql("one.db", "SELECT count(*) FROM runs")[0][0]
check(n == len(runs) + 1 + len(fixtures), "runs stored: %d" % n)
check(sql("one.db", "SELECT count(DISTINCT run_id) FROM timeline_nodes")[0][0] >= len(runs),
      "the plugins' runs have no per-node timelines to push")
check(sql("one.db", "SELECT count(*) FROM metrics WHERE headline = 1")[0][0] >= 3,
      "no headline marks to push")

url = "http://127.0.0.1:%d" % s.port
_, err = bx("push", "--server", url, "--token", up, "--db", "one.db")
check("%d of %d runs accepted" % (n, n) in err, err)
check(s.stop() == 0, "exit code")


def dump(db):
    p = subprocess.run([DUMP, "--dump", db], capture_output=True, text=True, timeout=60)
    check(p.returncode == 0, "store_tests --dump %s: %s" % (db, p.stderr))
    # (the service job: see above; a pushed run is the pusher's, whatever user the crafted
    # documents name: their user is compared as the pusher's)
    out = []
    for l in p.stdout.splitlines():
        if l.startswith("runs "):
            l = re.sub(r" job=\S+", " job=-", l)
        if FIXTURE_UUID in l:
            l = re.sub(r" (run_)?user='[^']*'", r" \1user='%s'" % ME, l)
        out.append(l)
    return out


mine, theirs = dump("one.db"), dump(DB)
lost = [l for l in mine if l not in set(theirs)]
extra = [l for l in theirs if l not in set(mine)]
check(not lost and not extra,
      "push changed facts:\n" + "\n".join(["- " + l for l in lost[:15]] +
                                         ["+ " + l for l in extra[:15]]))
sys.exit(0)
