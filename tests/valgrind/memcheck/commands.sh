# valgrind memcheck of the core: the runner's command paths (a run, a sweep, a
# crash and a failure point, bad configurations and options, query in every
# format, collect with a good and a broken document, sql, describe, plugins)
# and the worker itself, with no memory error and no definite leak — also
# on the error paths.  Registered only for builds without ASan.
. "$TEST_LIB" || exit 1
command -v valgrind >/dev/null || skip "valgrind is not installed"
VG="valgrind -q --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --error-exitcode=9 --log-file=$TMP/vg.%p.log"
# The worker under valgrind too: the runner starts this wrapper.
cat >"$TMP/worker" <<SH
#!/bin/sh
touch "$TMP/worker.\$\$"
exec $VG "$BENCHAAS_BUILD/bin/benchaas-worker" "\$@"
SH
chmod +x "$TMP/worker"
export BENCHAAS_WORKER="$TMP/worker"
n=0
vg() { # CODE ARGS...: the runner under valgrind exits CODE, without a valgrind error
    local want=$1; shift
    n=$((n + 1))
    $VG "$BENCHAAS" "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$?
    [ $rc -ne 9 ] || { cat "$TMP"/vg.*.log; fail "valgrind found errors in: benchaas $*"; }
    [ $rc -eq "$want" ] || { cat "$TMP/err"; fail "exit $rc, want $want: benchaas $*"; }
}
vg 0 --version
vg 0 plugins
vg 0 describe trivial
vg 0 run trivial --db v.db
vg 0 run trivial -p count=10,20 -p flag=true -p label=x --tag t --json --db v.db
vg 1 run trivial -p mode=fail,crash,ok --db v.db
vg 0 run trivial --dry-run -p size=1k,2k
vg 2 run trivial -p nosuch=1 --db v.db
vg 2 run trivial -p count=abc --db v.db
vg 2 run trivial -p count=13 --db v.db
vg 2 run nosuchplugin --db v.db
vg 2 run trivial --ranks 0
printf 'experiments = ( { plugin = "trivial"; params = { count = [1, 2]; }; } );\n' > ok.cfg
vg 0 run ok.cfg --db v.db
printf 'experiments = ( { plugin = "trivial"; params = { count = [1, "x"; }; } );\n' > syntax.cfg
vg 2 run syntax.cfg --db v.db
printf 'experiments = ( { plugin = "trivial"; sweep = "zip"; params = { count = [1, 2]; size = [1]; nope = 3; }; } );\n' > bad.cfg
vg 2 run bad.cfg --db v.db
vg 2 run missing.cfg --db v.db
vg 0 query --db v.db
vg 0 query --db v.db --format csv --plugin trivial --status ok,failed
vg 0 query --db v.db --format json -p count=10 --metric rate
vg 0 query --db v.db --format jsonl --since 2000-01-01 --tag t
vg 0 query --db v.db --group-by count --stat median --metric rate
vg 2 query --db v.db --status bogus
vg 2 query --db nosuch.db
vg 0 sql --db v.db "SELECT plugin, count(*) FROM results GROUP BY plugin"
vg 2 sql --db v.db "DELETE FROM runs"
# collect: one good document (kept from another database) and one broken one
expect_rc 0 bx run trivial --keep-spool --db k.db
mkdir -p c.db.spool && cp k.db.spool/*.result.json c.db.spool/
printf '{"result_version": 1, "uuid": "x' > c.db.spool/00000000-0000-4000-8000-000000000001.result.json
vg 1 collect --db c.db
eq "$(sql c.db 'SELECT count(*) FROM runs')" 1 "collected runs"
vg 2 collect --db text.txt --bogus
eq "$(sql v.db "SELECT count(*) FROM runs")" 8 "runs stored by the checked commands"
# The worker's own error paths, started by hand: a plugin that is not there, a
# bad parameter, a result it cannot write (its name is taken by a folder), a
# malformed spec.  A worker writes only <uuid>.result.json beside its spec.
TP="$BENCHAAS_TEST_PLUGINS/good/trivial.so"
uu() { echo "00000000-0000-4000-8000-00000000000$1"; }
spec() { printf '{"spec_version":1,"uuid":"%s","plugin":"trivial","plugin_path":"%s","result":"%s","params":%s%s}' "$(uu "$1")" "$2" "$TMP/$(uu "$1").result.json" "$3" "$4" > "$TMP/w$n.json"; }
wk() { # CODE: the last spec() through the worker under valgrind exits CODE
    n=$((n + 1))
    $VG "$BENCHAAS_BUILD/bin/benchaas-worker" "$TMP/w$((n - 1)).json" >/dev/null 2>"$TMP/err"
    local rc=$?
    [ $rc -ne 9 ] || { cat "$TMP"/vg.*.log; fail "valgrind found errors in the worker (spec $((n - 1)))"; }
    [ $rc -eq "$1" ] || { cat "$TMP/err"; fail "worker exit $rc, want $1 (spec $((n - 1)))"; }
}
spec 1 /nonexistent.so '{"count":"5"}' ''; wk 0
spec 2 "$TP" '{"count":"abc"}' ''; wk 0
mkdir "$TMP/$(uu 3).result.json"
spec 3 "$TP" '{"mode":"error"}' ''; wk 3
spec 4 "$TP" '{"mode":"fail"}' ',"tags":[1]'; wk 2
# Every process (the runner's and the workers' logs): no valgrind report.
# "==PID==" lines are reports; "--PID--" lines are valgrind's own warnings
# (it does not know pidfd_open: the runner then polls, as it is written to).
for f in "$TMP"/vg.*.log; do
    grep -q '^==[0-9]*==' "$f" && { cat "$f"; fail "valgrind reported in $f"; }
done
eq "$(ls "$TMP"/worker.* | wc -l)" 9 "workers run under valgrind"
echo "memcheck: $n runner invocations clean"
exit 0
