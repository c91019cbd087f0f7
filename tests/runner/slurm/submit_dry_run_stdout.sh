# `submit --dry-run` prints every batch script to stdout and changes nothing that
# stdout points at: not its mode (it once did chmod("/dev/stdout", 0755), which
# with stdout on /dev/null made /dev/null unwritable for every other user), not
# its content (every script follows its header, none truncates what came before).
# Needs no Slurm: a dry run never calls sbatch.
. "$TEST_LIB" || exit 1
cat >s.cfg <<'CFG'
experiments = ( { name = "one"; plugin = "trivial"; params = { count = [1, 2]; }; },
                { name = "two"; plugin = "trivial"; threads = 2; } );
slurm = { time_limit = "5"; };
CFG
: >dry.txt && chmod 0600 dry.txt
bx submit s.cfg --dry-run --db d.db >>dry.txt 2>"$TMP/err" || { cat "$TMP/err"; fail "submit --dry-run failed"; }
eq "$(stat -c %a dry.txt)" 600 "mode of the file stdout was redirected to"
eq "$(grep -c '^#!/bin/bash' dry.txt)" 2 "batch scripts printed"
eq "$(grep -c '^# ---- ' dry.txt)" 2 "script headers printed"
grep -q '^# ---- one (2 points) ----' dry.txt || { cat dry.txt; fail "header of experiment one"; }
grep -q '^# ---- two (1 point) ----' dry.txt || { cat dry.txt; fail "header of experiment two"; }
# each script follows its own header, in order
eq "$(grep -E '^(# ---- |#!/bin/bash)' dry.txt | cut -c1-6 | tr '\n' ' ')" "# ---- #!/bin # ---- #!/bin " "order of headers and scripts"
[ ! -e d.db ] && [ ! -e d.db.spool ] || fail "--dry-run wrote the database or the spool folder"
# and to a pipe, a terminal's stand-in
eq "$(bx submit s.cfg --dry-run --db d.db | grep -c '^#SBATCH --job-name=')" 2 "scripts through a pipe"
exit 0
