# Tags, experiment names and parameter values must be text: invalid UTF-8 or
# a control character (ESC, newline, ...) is refused at the door (exit 2,
# naming the value, escaped, and nothing written).  What is in the database
# anyway (an older version, a hand edit, a plugin's error text) never reaches
# a terminal raw: `query` and `sql` tables show it escaped (\e, \n, \xff),
# CSV to a terminal too; JSON output is valid UTF-8 with no raw control; the
# HTML report is valid UTF-8.
. "$TEST_LIB" || exit 1
ESC=$'\e'
refused() {
    expect_rc 2 bx "$@"
    grep -qE "control character|not valid UTF-8" "$TMP/err" || { cat "$TMP/err"; fail "no reason: $*"; }
    [ -e x.db ] && fail "x.db written: $*"
    return 0
}
refused run trivial --tag "${ESC}[31mred" --db x.db
refused run trivial --tag $'bad\xffutf8' --db x.db
refused run trivial --tag $'two\nlines' --db x.db
refused run trivial -p label="${ESC}]0;title${ESC}\\" --db x.db
refused run trivial -p label=$'\xc3\x28' --db x.db
refused run trivial -p label=$'a\x7fb' --db x.db
refused run trivial -p label=$'c1\xc2\x9b31m' --db x.db
printf 'experiments = ( { name = "e\\x1b[2J"; plugin = "trivial"; } );\n' > n.cfg
refused run n.cfg --db x.db
printf 'defaults = { tags = ["ok", "t\\x1b[31m"]; };\nexperiments = ( { plugin = "trivial"; } );\n' > t.cfg
refused run t.cfg --db x.db
printf 'experiments = ( { plugin = "trivial"; tags = ["\xff\xfe"]; } );\n' > u.cfg
refused run u.cfg --db x.db
# baselines' names and notes are names too
bx run trivial --db b.db >/dev/null 2>&1 || fail "setup b.db"
expect_rc 2 bx baseline set --db b.db --plugin trivial --name "${ESC}[31mbase"
expect_err "printable UTF-8"
expect_rc 2 bx baseline set --db b.db --plugin trivial --name ok --note $'bad\xffnote'
expect_err "not valid UTF-8"
eq "$(sql b.db 'SELECT count(*) FROM baselines')" 0 "baselines stored"
expect_rc 0 bx baseline set --db b.db --plugin trivial --name "grün ✓"
# accepted: UTF-8 text of any script
expect_rc 0 bx run trivial --tag "héllo wörld ✓" -p label="日本語" --db ok.db
# What the database holds anyway is shown escaped.
expect_rc 0 bx run trivial --db d.db
sql d.db "INSERT INTO tags SELECT id, char(27) || '[31mEVIL' FROM runs;
          UPDATE runs SET error = 'line1' || char(10) || char(27) || ']0;pwn' || char(7), host_id = host_id;
          UPDATE params SET value = 'x' || char(27) || '[2J' || cast(x'ff' AS TEXT) WHERE name = 'mode';
          UPDATE runs SET params_json = replace(params_json, '\"ok\"', '\"x' || char(27) || '[2J' || cast(x'ff' AS TEXT) || '\"');"
raw() { grep -c "$ESC" "$1" || true; }
expect_rc 0 bx query --db d.db
eq "$(raw "$TMP/out")" 0 "raw ESC in the query table"
expect_out 'error: line1\n\e]0;pwn\x07'
expect_rc 0 bx sql --db d.db "SELECT tag FROM tags"
eq "$(raw "$TMP/out")" 0 "raw ESC in the sql table"
expect_out '\e[31mEVIL'
expect_rc 0 bx sql --db d.db "SELECT error FROM runs"
expect_out 'line1\n\e]0;pwn\x07'
expect_rc 0 bx sql --db d.db "SELECT char(27) || '[31m' AS x"
eq "$(raw "$TMP/out")" 0 "raw ESC from an expression"
# CSV and JSON through a terminal (a pseudo-terminal made by script(1))
if command -v script >/dev/null 2>&1; then
    script -qec "'$BENCHAAS' sql --db d.db --format csv 'SELECT tag FROM tags'" "$TMP/tty.log" >/dev/null 2>&1
    eq "$(raw "$TMP/tty.log")" 0 "raw ESC in CSV on a terminal"
    grep -qF '\e[31mEVIL' "$TMP/tty.log" || { cat "$TMP/tty.log"; fail "CSV on a terminal not escaped"; }
fi
utf8() { python3 -c 'import sys; sys.stdin.buffer.read().decode("utf-8")' < "$1"; }
for f in json jsonl; do
    expect_rc 0 bx query --db d.db --format $f
    utf8 "$TMP/out" || fail "query --format $f is not UTF-8"
    eq "$(raw "$TMP/out")" 0 "raw ESC in query --format $f"
    expect_rc 0 bx sql --db d.db --format $f "SELECT value FROM params"
    utf8 "$TMP/out" || fail "sql --format $f is not UTF-8"
done
expect_rc 0 bx report --db d.db --html r.html --status ok,failed,crashed
utf8 r.html || fail "the report is not UTF-8"
eq "$(raw r.html)" 0 "raw ESC in the report"
# status lists what the database holds, escaped too
sql d.db "UPDATE runs SET status = 'queued', experiment = char(27) || '[2Jexp'"
expect_rc 0 bx status --db d.db
eq "$(raw "$TMP/out")" 0 "raw ESC in status"
expect_out '\e[2Jexp'
exit 0
