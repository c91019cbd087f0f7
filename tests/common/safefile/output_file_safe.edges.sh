# An output file (report --html, export -o, query -o, sql -o, check --junit)
# is written only when its path is absent or a regular file that is not the
# database nor one of its companions (-wal, -shm, -journal, .spool/...) nor
# any SQLite file; a FIFO, a device node, a folder, a symbolic link or the
# database are refused with exit 2 and left exactly as they were.  A regular
# file is replaced atomically (no temporary file left).
. "$TEST_LIB" || exit 1
bx run trivial --keep-spool --db d.db >/dev/null 2>&1 || fail "setup run"
mkfifo fifo
mknod chr c 1 3 2>/dev/null || skip "cannot make a device node here"
mkdir folder
ln -s d.db link.db
cp d.db other.db
touch d.db-journal
res=$(ls d.db.spool/*.result.json | head -1)
sum() { sha256sum d.db other.db | sha256sum; }
before=$(sum)
# every output option against every forbidden target
outs() { # TARGET: each command writing to TARGET
    echo "report --db d.db --html $1"
    echo "export --db d.db -o $1"
    echo "query --db d.db -o $1"
    echo "sql --db d.db -o $1 SELECT_1"
    echo "check --db d.db --junit $1"
}
for target in d.db ./d.db "$TMP/d.db" d.db-wal d.db-shm d.db-journal "$res" \
              fifo chr folder link.db other.db; do
    while read -r line; do
        # shellcheck disable=SC2086
        set -- ${line//SELECT_1/}
        if [ "$1" = sql ]; then set -- "$@" "SELECT 1"; fi
        expect_rc 2 bx "$@"
        grep -qF "refusing" "$TMP/err" || { cat "$TMP/err"; fail "no reason given: bx $*"; }
    done < <(outs "$target")
done
[ -p fifo ] || fail "the FIFO was replaced"
[ -c chr ] || fail "the device node was replaced"
[ -d folder ] || fail "the folder was replaced"
[ -L link.db ] || fail "the link was replaced"
[ -f "$res" ] || fail "the spool document was replaced"
eq "$(sum)" "$before" "the databases"
eq "$(sql d.db 'PRAGMA integrity_check')" ok "integrity"
# absent and regular files are fine, and leave no temporary file behind
echo old > r.csv
expect_rc 0 bx export --db d.db -o r.csv
grep -q old r.csv && fail "r.csv not replaced"
expect_rc 0 bx report --db d.db --html new.html
expect_rc 0 bx sql --db d.db -o s.csv "SELECT 1"
ls | grep -q '\.tmp' && fail "a temporary file is left: $(ls)"
exit 0
