# No shell ever interprets a user's value: parameter values, tags and the
# database path (which names the spool, so it reaches the worker's argv and
# Slurm's batch script) full of $(...), backquotes, quotes and ; arrive
# verbatim through the local and mpi launchers (argv arrays, no shell) and
# through the Slurm batch script (every value quoted; the script is run here
# by bash with stand-ins for srun, so no Slurm is needed).
. "$TEST_LIB" || exit 1
. "$BENCHAAS_SOURCE/tests/faults/lib/faults.sh" || exit 1
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"  # OpenMPI leaks at exit
X='$(touch pwned1)`touch pwned2`;touch pwned3 '\''q" \$HOME'
mkdir -p "$TMP/d \$(touch pwned4) 'q\""
DB="$TMP/d \$(touch pwned4) 'q\"/r\$(touch pwned5).db"
pwned() { ls "$TMP"/pwned* "$TMP"/*/pwned* pwned* 2>/dev/null | head -1; }
launchers="local"
command -v mpirun >/dev/null && launchers="local mpi"
for l in $launchers; do
    ranks=1; [ $l = mpi ] && ranks=2
    expect_rc 0 bx run faulty --launcher $l --ranks $ranks -p "label=$X" --tag "$X" --db "$DB"
    [ -z "$(pwned)" ] || fail "$l: a shell ran a value: $(pwned) exists"
    eq "$(sql "$DB" "SELECT value FROM run_meta WHERE key='label' ORDER BY run_id DESC LIMIT 1")" "$X" "$l: label verbatim"
    eq "$(sql "$DB" "SELECT tag FROM tags ORDER BY run_id DESC LIMIT 1")" "$X" "$l: tag verbatim"
done
eq "$(sql "$DB" "SELECT count(*) FROM runs WHERE status='ok'")" "$(echo $launchers | wc -w)" "runs stored"

# Slurm: the batch scripts of a hostile configuration, run by bash.
mkdir stubs
cat >stubs/srun <<'SH'
#!/bin/bash
# stand-in for srun: record the arguments (one per line) and the environment value
printf '%s\n' "$@" >>"$STUB_LOG"
printf 'ENV=%s\n' "${BENCHAAS_TEST_VALUE-unset}" >>"$STUB_LOG"
SH
chmod +x stubs/srun
# the same hostile text in a libconfig string: escape \ and "
CX=$(printf '%s' "$X" | sed 's/\\/\\\\/g; s/"/\\"/g')
cat >s.cfg <<CFG
experiments = ( { name = "q"; plugin = "faulty"; ranks = 2; tags = ["$CX"];
                  params = { label = "$CX"; }; } );
slurm = { time_limit = "5"; env = { BENCHAAS_TEST_VALUE = "$CX"; }; };
CFG
expect_rc 0 bx run s.cfg --launcher slurm --dry-run --db "$DB"
awk '/^#!\/bin\/bash/{n++} {print > ("script" n ".sh")}' "$TMP/out"
[ -s script1.sh ] || { cat "$TMP/out"; fail "no batch script in the dry run"; }
for s in script*.sh; do
    PATH="$TMP/stubs:$PATH" STUB_LOG="$TMP/stub.log" bash "$s" >/dev/null 2>&1
done
[ -z "$(pwned)" ] || fail "slurm: a shell ran a value: $(pwned) exists"
grep -qxF "ENV=$X" stub.log || { cat stub.log; fail "slurm: the env value did not arrive verbatim"; }
grep -qF "$TMP/d \$(touch pwned4) 'q\"/r\$(touch pwned5).db.spool/" stub.log \
    || { cat stub.log; fail "slurm: the spool path did not arrive verbatim as one argument"; }
exit 0
