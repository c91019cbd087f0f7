#!/usr/bin/env bash
# End-to-end tests of the hpl plugin through the runner:
#   e2e.sh BENCHAAS_EXECUTABLE WORK_FOLDER
# A small solve on a 1x2 grid is stored and passes; an HPL.dat becomes one
# run per combination; bad input exits 2 and stores nothing.
set -u
BX=$1
TMP=$(mktemp -d "${2:-/tmp}/hpl-e2e.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
fail=0
die() { echo "FAIL: $*" >&2; fail=1; }
q() { sqlite3 "$1" "$2"; }

# 1. a small solve, odd N, two ranks
"$BX" run hpl -p N=301 -p NB=32 -p P=1 -p Q=2 --ranks 2 --db "$TMP/a.db" >"$TMP/a.out" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$TMP/a.out" >&2; die "run exited $rc, expected 0"; }
[ "$(q "$TMP/a.db" "SELECT value FROM results WHERE metric='passed'")" = "1.0" ] || die "passed != 1"
awk -v v="$(q "$TMP/a.db" "SELECT value FROM results WHERE metric='gflops'")" 'BEGIN{exit !(v > 0)}' ||
    die "gflops not > 0"
awk -v v="$(q "$TMP/a.db" "SELECT value FROM results WHERE metric='residual'")" 'BEGIN{exit !(v >= 0 && v < 16)}' ||
    die "residual not in [0, 16)"

# 2. the default grid follows --ranks (2 ranks: 1 x 2)
"$BX" run hpl -p N=200 -p NB=16 --ranks 2 --db "$TMP/b.db" >"$TMP/b.out" 2>&1 || die "default grid run failed"
[ "$(q "$TMP/b.db" "SELECT value FROM results WHERE metric='passed'")" = "1.0" ] || die "default grid: passed != 1"

# 3. an HPL.dat: 2 Ns x 2 grids = 4 runs, all passing, with the file's values
cat >"$TMP/HPL.dat" <<'DAT'
HPLinpack benchmark input file
Innovative Computing Laboratory, University of Tennessee
HPL.out      output file name (if any)
6            device out (6=stdout,7=stderr,file)
2            # of problems sizes (N)
101 150      Ns
1            # of NBs
16           NBs
0            PMAP process mapping (0=Row-,1=Column-major)
2            # of process grids (P x Q)
1 2          Ps
2 1          Qs
16.0         threshold
1            # of panel fact
0            PFACTs (0=left, 1=Crout, 2=Right)
1            # of recursive stopping criterium
4            NBMINs (>= 1)
1            # of panels in recursion
2            NDIVs
1            # of recursive panel fact.
2            RFACTs (0=left, 1=Crout, 2=Right)
1            # of broadcast
4            BCASTs (0=1rg,1=1rM,2=2rg,3=2rM,4=Lng,5=LnM)
1            # of lookahead depth
0            DEPTHs (>=0)
1            SWAP (0=bin-exch,1=long,2=mix)
64           swapping threshold
DAT
"$BX" run hpl -p hpl_dat="$TMP/HPL.dat" --ranks 2 --db "$TMP/c.db" >"$TMP/c.out" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$TMP/c.out" >&2; die "HPL.dat run exited $rc"; }
[ "$(q "$TMP/c.db" "SELECT count(*) FROM results WHERE metric='passed' AND value=1")" = "4" ] ||
    die "HPL.dat: expected 4 passing runs"
[ "$(q "$TMP/c.db" "SELECT count(*) FROM results WHERE metric='passed' AND params LIKE '%\"P\":2%' AND params LIKE '%\"bcast\":\"long\"%' AND params LIKE '%\"pfact\":\"left\"%'")" = "2" ] ||
    die "HPL.dat: the 2x1 runs do not carry the file's values"

# 4. bad input: exit 2, nothing stored
bad() {
    local what=$1
    shift
    "$BX" run hpl "$@" --db "$TMP/bad.db" >"$TMP/bad.out" 2>&1
    local rc=$?
    [ $rc -eq 2 ] || { cat "$TMP/bad.out" >&2; die "$what: exit $rc, expected 2"; }
    grep -q -- "$EXPECT" "$TMP/bad.out" || { cat "$TMP/bad.out" >&2; die "$what: message lacks '$EXPECT'"; }
}
EXPECT="N" bad "N=0" -p N=0
EXPECT="NB" bad "NB=0" -p NB=0
EXPECT="P" bad "P=0" -p P=0 -p Q=1
EXPECT="needs 4 ranks" bad "grid larger than the run" -p N=100 -p P=2 -p Q=2 --ranks 2
EXPECT="bcast" bad "unknown bcast" -p bcast=3ring
EXPECT="per rank" bad "too much memory" -p N=3000000
EXPECT="cannot open" bad "missing HPL.dat" -p hpl_dat=/nonexistent/HPL.dat
sed '11s/.*/1 x          Ps/' "$TMP/HPL.dat" >"$TMP/bad.dat"
EXPECT="bad.dat:11:" bad "malformed HPL.dat" -p hpl_dat="$TMP/bad.dat" --ranks 2
if [ -f "$TMP/bad.db" ] && [ "$(q "$TMP/bad.db" "SELECT count(*) FROM runs" 2>/dev/null || echo 0)" != "0" ]; then
    die "bad input stored runs"
fi
exit $fail
