"""serve --plugin-path DIR: the plugins of DIR are the service's too (the API's list, the
submit form, the jobs' workers), searched before the others, as `run --plugin-path`;
a DIR that is no folder is refused before the server starts."""
from serve_lib import *

DB = "p.db"
add_user(DB, "ann", "member")
tk = token(DB, "ann")
extra = os.path.join(PLUGINS, "policy")  # writer.so: in no folder the server searches
s = Server(DB)
names = [p["name"] for p in s.expect(200, "GET", "/api/v1/plugins", tok=tk)[0]["plugins"]]
check("writer" not in names and "trivial" in names, "without --plugin-path: %s" % names)
s.stop()
s = Server(DB, "--plugin-path", extra)
names = [p["name"] for p in s.expect(200, "GET", "/api/v1/plugins", tok=tk)[0]["plugins"]]
check("writer" in names and "trivial" in names, "with --plugin-path: %s" % names)
st, _, page = s.request("GET", "/submit/writer", tok=tk)
check(st == 200 and 'name="csrf"' in page, "the submit form of a --plugin-path plugin: %d" % st)
# the form offers only what the plugin can use: no ranks for a plugin that runs one process
st, _, page = s.request("GET", "/submit/trivial", tok=tk)
check(st == 200 and 'id="x-ranks"' not in page and 'id="x-ranks-fixed"' in page
      and 'id="x-threads"' in page, "trivial's form offers ranks")
s.stop()
p = subprocess.run([BENCHAAS, "serve", "--db", DB, "--listen", "127.0.0.1:0", "--plugin-path",
                    "no/such/folder"], capture_output=True, text=True, timeout=30)
check(p.returncode == 2 and "--plugin-path no/such/folder: not a folder" in p.stderr,
      "a bad --plugin-path: %d %s" % (p.returncode, p.stderr))
sys.exit(0)
