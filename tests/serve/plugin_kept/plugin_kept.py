"""A plugin's descriptor is loaded once per plugin file and kept (core/serve/plugin_kept.c):
the submit form, the API's plugin list and the submit list no longer load the plugin on every
request, and a replaced or changed file is seen at the next request: a new build renamed over
it, one written over it in place, a chmod that makes it writable by others (refused), and a
replacement in a folder others may write (refused: the loader's checks run again).

The plugin is built here (cc) with another parameter name each time; its constructor appends
a line to the file KEPT_LOG names at every load, so the test counts the loads.  The server
describes a plugin in a confined child (apart.h), so the log lies in an --allow-path folder.

Mutation: lookup() in plugin_kept.c never finding the kept entry (a load per request): the
log has a line per request and this test fails.  Mutation: same_file() comparing only the
inode (or only the path): the build written in place, or the chmod, is not seen and this test
fails.  Mutation: load() in plugin_kept.c loading the plugin in the server's process (no
policy): the dynamic loader hands the first build out again and the new parameter never
shows (checked: "the form after the file was replaced still shows the old parameter")."""
import os
import shutil
import stat
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
from serve_lib import *  # noqa: E402 (it changes the folder)

root = HERE
while root != "/" and not os.path.exists(os.path.join(root, "sdk", "include", "benchaas",
                                                      "plugin.h")):
    root = os.path.dirname(root)
SDK = os.path.join(root, "sdk", "include")
CC = os.environ.get("CC", "cc")
if not shutil.which(CC) or not os.path.isdir(SDK):
    print("no C compiler or no SDK headers: skipped", file=sys.stderr)
    sys.exit(77)

SRC = r'''
#include <stdio.h>
#include <stdlib.h>
#include "benchaas/benchaas.h"
__attribute__((constructor)) static void loaded(void)
{
    const char *p = getenv("KEPT_LOG");
    FILE *f = p ? fopen(p, "a") : NULL;
    if (f) {
        fputs(PNAME "\n", f);
        fclose(f);
    }
}
static const bx_param params[] = {
    {PNAME, BX_INT, "1", BX_RANGE(1, 100), NULL, "the parameter of this build", 0},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};
static const bx_metric_def metrics[] = {
    {"rate", "ops/s", BX_BETTER_HIGHER, "nothing measured", 0},
    {NULL, NULL, 0, NULL, 0},
};
static int k_init(bx_ctx *c, void **st) { (void)c; *st = NULL; return 0; }
static int k_run(bx_ctx *c, void *st, unsigned rep) { (void)c; (void)st; (void)rep; return 0; }
static int k_report(bx_ctx *c, void *st) { (void)c; (void)st; return 0; }
static void k_fini(void *st) { (void)st; }
static const bx_plugin desc = {
    BX_PLUGIN_HEADER,
    .name = "kept", .version = "1.0.0", .description = "a plugin this test rebuilds",
    .params = params, .metrics = metrics,
    .init = k_init, .run = k_run, .report = k_report, .fini = k_fini,
};
BX_PLUGIN_DEFINE(desc)
'''
with open("kept.c", "w") as f:
    f.write(SRC)


def build(param):
    out = os.path.abspath("kept-%s.so" % param)
    p = subprocess.run([CC, "-shared", "-fPIC", "-O0", "-I", SDK, "-DPNAME=\"%s\"" % param,
                        "-o", out, "kept.c"], capture_output=True, text=True, timeout=120)
    check(p.returncode == 0, "cc: %s" % p.stderr)
    os.chmod(out, 0o755)
    return out


# the plugin is described in a confined child, as the user jobs run as (nobody when the server
# runs as root): the folders are open to others for reading, the log is in an allowed folder
os.chmod(TMP, 0o755)
DIR = os.path.abspath("plugins")
os.mkdir(DIR)
os.chmod(DIR, 0o755)
LOGDIR = os.path.abspath("log")
os.mkdir(LOGDIR)
os.chmod(LOGDIR, 0o777)
SO = os.path.join(DIR, "kept.so")
LOG = os.path.join(LOGDIR, "loads.log")
shutil.copy(build("first_param"), SO + ".new")
os.rename(SO + ".new", SO)

DB = "k.db"
add_user(DB, "mia", "member")
tk = token(DB, "mia")
s = Server(DB, "--plugin-path", DIR, "--allow-path", LOGDIR, env={"KEPT_LOG": LOG})


def loads():
    try:
        with open(LOG) as f:
            return f.read().split()
    except FileNotFoundError:
        return []


def form(want):
    st, _, page = s.request("GET", "/submit/kept", tok=tk)
    check(st == want, "/submit/kept: %d, wanted %d: %s" % (st, want, str(page)[-400:]))
    return page


def api_params():
    j, _ = s.expect(200, "GET", "/api/v1/plugins", tok=tk)
    for p in j["plugins"]:
        if p["name"] == "kept":
            return [q["name"] for q in p["params"]]
    return None


for _ in range(20):
    check('name="first_param"' in form(200), "the form lacks the plugin's parameter")
check(api_params() == ["first_param"], "the API's list: %s" % api_params())
st, _, page = s.request("GET", "/submit", tok=tk)
check(st == 200 and 'href="/submit/kept"' in page, "the submit list lacks the plugin")
check(loads() == ["first_param"], "loaded %d times for 22 requests: %s" % (len(loads()), loads()))

# an unknown plugin: 404 listing what exists, naming no server folder, loading nothing new
st, _, page = s.request("GET", "/submit/nope", tok=tk)
check(st == 404 and "unknown plugin " in page and "nope" in page and "; available: " in page
      and "kept" in page and DIR not in page and TMP not in page,
      "unknown plugin: %d %s" % (st, page[-500:]))
check(loads() == ["first_param"], "loads after an unknown plugin: %s" % loads())

# a new build renamed over it (a new inode)
shutil.copy(build("second_param"), SO + ".new")
os.rename(SO + ".new", SO)
page = form(200)
check('name="second_param"' in page and 'name="first_param"' not in page,
      "the form after the file was replaced still shows the old parameter")
check(api_params() == ["second_param"], "the API's list after the replacement: %s" % api_params())
check(loads() == ["first_param", "second_param"], "loads: %s" % loads())

# a build written over it in place (the same inode: size and times change)
ino = os.stat(SO).st_ino
shutil.copyfile(build("third_param_x"), SO)
check(os.stat(SO).st_ino == ino, "copyfile made a new inode")
page = form(200)
check('name="third_param_x"' in page and 'name="second_param"' not in page,
      "the form after the file was rewritten in place shows the old parameter")
check(loads()[-1] == "third_param_x", "loads: %s" % loads())
n = len(loads())
for _ in range(5):
    form(200)
check(len(loads()) == n, "loaded again with nothing changed: %s" % loads())

# writable by others: refused at once, and nothing of it runs; safe again: served again
os.chmod(SO, 0o777)
page = form(404)
check("writable by every user" in page, "the refusal does not say why: %s" % page[-600:])
check(len(loads()) == n, "a file others may write was loaded: %s" % loads())
os.chmod(SO, 0o755)
check('name="third_param_x"' in form(200), "the form after the file was made safe again")

# a folder others may write: what is kept stays (the same file, checked when it was loaded),
# a replacement put there is refused, and its code never runs
os.chmod(DIR, 0o777)
check('name="third_param_x"' in form(200), "the kept form, folder loosened")
n = len(loads())
shutil.copy(build("fourth_param"), SO + ".new")
os.rename(SO + ".new", SO)
page = form(404)
check("writable by every user" in page and "fourth_param" not in page,
      "a plugin replaced in a folder others may write was not refused")
check(len(loads()) == n, "a plugin in a folder others may write was loaded: %s" % loads())
# the folder made safe again: its refusal is kept a few seconds at most (REFUSAL_KEPT_S)
os.chmod(DIR, 0o755)
deadline = time.time() + 15
while True:
    st, _, page = s.request("GET", "/submit/kept", tok=tk)
    if st == 200 or time.time() > deadline:
        break
    time.sleep(0.2)
check(st == 200 and 'name="fourth_param"' in page,
      "the form once the folder is safe again: %d" % st)
check(s.stop() == 0, "the server did not stop cleanly")
sys.exit(0)
