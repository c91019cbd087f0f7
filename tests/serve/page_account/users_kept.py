"""/admin/users answers its table from a kept answer (core/serve/page_account.c,
answers.h), the same for every admin: each form's CSRF field is the request's own, and the
button that would disable the admin looking is left out of that admin's row only.  The
table is computed once, not per request, and a change of the database shows without a
request computing it; the answer to a POST reads the table again (it shows its change).

BENCHAAS_TEST_ANSWER_COUNT counts the computations of kept answers.

Mutation: admin_page() calling users_part() for a GET too: no computation is counted and
this test fails.  Mutation: users_mine() keeping the marked part for its own user: root's
row has a Disable button and this test fails.  Mutation: users_part() writing the CSRF
field itself (page_csrf_field of the first request): the second page's forms carry the
first page's token and this test fails."""
import re

from serve_lib import *

DB = "uk.db"
add_user(DB, "root", "admin")
add_user(DB, "ann", "member")
tr = token(DB, "root")
COUNT = os.path.abspath("computed.log")
s = Server(DB, env={"BENCHAAS_TEST_ANSWER_COUNT": COUNT})


def rows(page):
    """{user: that row's HTML} of the users table."""
    return dict(re.findall(r"<tr><td>([^<]+)</td>(.*?)</tr>", page))


def users():
    st, _, page = s.request("GET", "/admin/users", tok=tr)
    check(st == 200, "/admin/users: %d %s" % (st, page[:300]))
    check(not re.search(r"[\x01-\x08]", page), "a control character in the page")
    tokens = set(re.findall(r'name="csrf" value="([0-9a-f]{64})"', page))
    check(len(tokens) == 1, "the forms' CSRF fields: %s" % tokens)
    rs = rows(page)
    table = page[page.index('id="users"'):page.index("</table>")]
    check(table.count('name="csrf"') == len(rs), "%d CSRF fields for %d rows"
          % (table.count('name="csrf"'), len(rs)))
    return rs, tokens.pop()


def computed():
    if not os.path.exists(COUNT):
        return 0
    with open(COUNT) as f:
        return sum(1 for line in f if line.strip() == "/admin/users")


r1, t1 = users()
r2, t2 = users()
check(sorted(r1) == ["ann", "root"], "rows: %s" % sorted(r1))
check(computed() == 1, "the users table computed %d times for 2 requests" % computed())
check(t1 != t2, "two requests without a cookie got the same CSRF token: it was kept")
check('value="disable"' not in r1["root"], "root's own row offers to disable root")
check('value="disable"' in r1["ann"], "ann's row has no Disable button: %s" % r1["ann"])
check('<option selected>admin</option>' in r1["root"], "root's role: %s" % r1["root"])
# a change made elsewhere shows, computed off the request path
add_user(DB, "dan", "viewer")
deadline = time.time() + 20
while time.time() < deadline and "dan" not in users()[0]:
    time.sleep(0.1)
check("dan" in users()[0], "the new user never showed")
# a POST's answer shows its own change at once (the table read again for it)
st, h, page = s.request("GET", "/admin/users", tok=tr)
cookie = h.get("set-cookie", "").split(";")[0]
csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
st, _, page = s.request("POST", "/admin/users/ann", tok=tr, headers={"Cookie": cookie},
                        raw=("csrf=%s&action=role&role=viewer" % csrf).encode(),
                        ctype="application/x-www-form-urlencoded")
check(st == 200, "the role form: %d %s" % (st, page[:300]))
check("<option selected>viewer</option>" in rows(page).get("ann", ""),
      "the answer to the change shows ann's old role: %s" % rows(page).get("ann"))
sys.exit(0)
