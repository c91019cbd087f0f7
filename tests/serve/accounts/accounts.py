"""Accounts from the command line (`benchaas user`, `benchaas token`): bad input
refused with exit 2 and nothing written; Argon2id password hashes; tokens printed
once and stored only as a hash; revoking a token, changing a password (ends the
sessions) and removing a user take effect on a running server; open sign-up;
TLS with --tls-cert/--tls-key."""
import shutil
import ssl

from serve_lib import *

DB = "a.db"
add_user(DB, "ann", "admin", "ann-password")
bx("user", "add", "../etc", "--password-stdin", "--db", DB, stdin="long-enough\n", rc=2)
bx("user", "add", "bob", "--role", "king", "--password-stdin", "--db", DB,
   stdin="long-enough\n", rc=2)
bx("user", "add", "bob", "--password-stdin", "--db", DB, stdin="short\n", rc=2)
_, err = bx("user", "add", "ann", "--password-stdin", "--db", DB, stdin="long-enough\n", rc=2)
check("exists already" in err, err)
bx("user", "frobnicate", "--db", DB, rc=2)
bx("user", "passwd", "nobody", "--password-stdin", "--db", DB, stdin="long-enough\n", rc=2)
bx("user", "remove", "nobody", "--db", DB, rc=2)
check(sql(DB, "SELECT count(*) FROM users")[0][0] == 1, "refused commands added users")
add_user(DB, "bob", "member", "bob-password")
out, _ = bx("user", "list", "--db", DB)
check("ann" in out and "admin" in out and "bob" in out and "member" in out, out)
hashes = [h for (h,) in sql(DB, "SELECT password_hash FROM users")]
check(all(h.startswith("$argon2id$") for h in hashes), "not Argon2id: %s" % hashes)

bx("token", "create", "nobody", "--db", DB, rc=2)
bx("token", "create", "bob", "--scope", "everything", "--db", DB, rc=2)
bx("token", "create", "bob", "--expires", "soon", "--db", DB, rc=2)
bx("token", "revoke", "abc", "--db", DB, rc=2)
check(sql(DB, "SELECT count(*) FROM tokens")[0][0] == 0, "refused commands made tokens")
tok = token(DB, "bob")
tok2 = token(DB, "bob", "--scope", "read", "--expires", "30d")
check(tok.startswith("bx_") and len(tok) == 67 and tok != tok2, tok)
raw = open(DB, "rb").read() + (open(DB + "-wal", "rb").read() if os.path.exists(DB + "-wal")
                               else b"")
check(tok.encode() not in raw and tok[3:].encode() not in raw, "the token is stored in clear")
check(b"bob-password" not in raw, "the password is stored in clear")
out, _ = bx("token", "list", "bob", "--db", DB)
check(out.count("bob") == 2 and "read" in out and "never" in out, out)

s = Server(DB, "--signup")
s.expect(200, "GET", "/api/v1/me", tok=tok)
tid = sql(DB, "SELECT id FROM tokens WHERE scope = 'read'")[0][0]
bx("token", "revoke", str(tid), "--db", DB)
s.expect(401, "GET", "/api/v1/me", tok=tok2)
bx("token", "revoke", str(tid), "--db", DB, rc=2)  # not live any more

j, _ = s.expect(201, "POST", "/api/v1/session", {"user": "bob", "password": "bob-password"})
sess = j["token"]
bx("user", "passwd", "bob", "--password-stdin", "--db", DB, stdin="new-password\n")
s.expect(401, "GET", "/api/v1/me", tok=sess)  # the session ended with the old password
s.expect(401, "POST", "/api/v1/session", {"user": "bob", "password": "bob-password"})
s.expect(201, "POST", "/api/v1/session", {"user": "bob", "password": "new-password"})
s.expect(200, "GET", "/api/v1/me", tok=tok)  # API tokens stay

# open sign-up makes members, and only members
j, _ = s.expect(201, "POST", "/api/v1/users", {"user": "cat", "password": "cat-password"})
check(j == {"user": "cat", "role": "member"}, str(j))
s.expect(403, "POST", "/api/v1/users", {"user": "dog", "password": "dog-password",
                                        "role": "admin"})
s.expect(409, "POST", "/api/v1/users", {"user": "cat", "password": "cat-password"})

bx("user", "remove", "bob", "--db", DB)
s.expect(401, "GET", "/api/v1/me", tok=tok)
check(sql(DB, "SELECT count(*) FROM tokens t JOIN users u ON u.id = t.user_id WHERE "
              "u.name = 'bob'")[0][0] == 0, "tokens of a removed user")
check(s.stop(signal.SIGINT) == 0, "exit code on SIGINT")

# TLS
if shutil.which("openssl"):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    "key.pem", "-out", "cert.pem", "-days", "1", "-subj", "/CN=127.0.0.1"],
                   check=True, capture_output=True)
    p = subprocess.Popen([BENCHAAS, "serve", "--listen", "127.0.0.1:0", "--db", DB,
                          "--tls-cert", "cert.pem", "--tls-key", "key.pem"],
                         stderr=subprocess.PIPE, text=True)
    line = p.stderr.readline()
    m = re.fullmatch(r"benchaas serve: listening on https://127\.0\.0\.1:(\d+)\n", line)
    check(m, "TLS listening line: %r" % line)
    ctx = ssl.create_default_context(cafile="cert.pem")
    ctx.check_hostname = False
    c = http.client.HTTPSConnection("127.0.0.1", int(m.group(1)), context=ctx, timeout=30)
    c.request("GET", "/healthz")
    r = c.getresponse()
    check(r.status == 200 and json.loads(r.read())["status"] == "ok", "healthz over TLS")
    p.terminate()
    check(p.wait(30) == 0, "TLS server exit code")
    bx("serve", "--listen", "127.0.0.1:0", "--db", DB, "--tls-cert", "cert.pem", rc=2)
# bad settings: exit 2 before listening
bx("serve", "--listen", "nowhere", "--db", DB, rc=2)
bx("serve", "--slots", "0", "--db", DB, rc=2)
bx("serve", "--launcher", "pbs", "--listen", "127.0.0.1:0", "--db", DB, rc=2)
with open("bad.cfg", "w") as f:
    f.write("serve = { colour = \"red\"; };\n")
_, err = bx("serve", "--config", "bad.cfg", "--db", DB, rc=2)
check("bad.cfg:1: unknown setting 'colour'" in err, err)
with open("notdb", "w") as f:
    f.write("hello")
bx("serve", "--db", "notdb", "--listen", "127.0.0.1:0", rc=2)
sys.exit(0)
