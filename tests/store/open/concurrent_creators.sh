# Six `benchaas run` processes creating one database that is not there yet (or is an
# empty file), round after round: every one of them exits 0, each run is stored once,
# and no runner ever takes the database being made for a foreign file (issue: one
# runner in eight refused it, "is not a BenchaaS database (not an SQLite file)").  The
# window is hit on purpose in every round, not by luck: the first creator is held in
# the middle of making the file (BENCHAAS_TEST_CREATE_DELAY_MS: its connection sleeps
# each time SQLite extends the new file with zeros), and the five others start once a
# file of its has bytes in it, all at once, and race each other to create it too.
#
# Fails when create_database() (core/store/open.c) makes the schema at the path itself
# (SQLITE_OPEN_CREATE on PATH, as before) and classify_file takes a file of zeros for a
# foreign one at once (being_written() returning 0): the five are refused in round 1,
# every run.  Fails too when a new database is not mode 0600, when place_database()
# replaces what is at the path (rename instead of link: a winner's runs are lost), or
# when the temporary PATH.new-XXXXXX files are left behind.
. "$TEST_LIB" || exit 1
N=6        # creators per round
ROUNDS=3   # rounds per starting state
round=0
for start in absent empty; do
    for _ in $(seq $ROUNDS); do
        round=$((round + 1))
        db=c$round.db
        [ $start = empty ] && : >"$db"
        pids=""
        for r in $(seq $N); do
            BENCHAAS_TEST_CREATE_DELAY_MS=300 "$BENCHAAS" run trivial -p count=1,2 --tag r$r \
                --db "$db" >"r$round.$r.out" 2>"r$round.$r.err" &
            pids="$pids $!"
            [ "$r" -gt 1 ] && continue
            # the first one has written zeros (at the path, or in a file of its own beside it)
            n=0
            until find . -maxdepth 1 -name "$db*" ! -name '*-journal' -size +0c | grep -q .; do
                n=$((n + 1)); [ $n -gt 1000 ] && fail "round $round: the first creator never wrote a byte"
                sleep 0.01
            done
        done
        bad=0
        for p in $pids; do wait "$p" || bad=$((bad + 1)); done
        [ $bad -eq 0 ] || { cat r$round.*.err >&2; fail "round $round ($start): $bad of $N creators failed"; }
        eq "$(sql "$db" "SELECT count(*) FROM runs WHERE status='ok'")" $((2 * N)) "round $round: runs"
        eq "$(sql "$db" "SELECT count(DISTINCT tag) FROM tags")" $N "round $round: creators stored"
        eq "$(sql "$db" 'PRAGMA integrity_check')" ok "round $round: integrity_check"
        eq "$(stat -c %a "$db")" 600 "round $round: the database's mode"
    done
done
eq "$(ls -A | grep -c '\.db\.new-')" 0 "creators' temporary files left"
exit 0
