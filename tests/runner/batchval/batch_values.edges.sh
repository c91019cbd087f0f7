# Every value that reaches a Slurm batch script, from whatever source (the
# database path from --db, BENCHAAS_DB or the configuration, slurm.spool,
# slurm.env values, the worker's path), passes one check: a
# control character (newline, carriage return, tab, ESC) or invalid UTF-8 is
# refused with exit 2 naming the value, and nothing is written: no spool,
# no script, no database, and sbatch is never called.
. "$TEST_LIB" || exit 1
mkdir bin && cat > bin/sbatch <<'SH'
#!/bin/sh
echo called >> "$(dirname "$0")/../sbatch-called"; echo 1; exit 0
SH
for c in squeue scontrol sinfo; do printf '#!/bin/sh\nexit 0\n' > bin/$c; done
chmod +x bin/*
export PATH="$TMP/bin:$PATH"
NL=$'\n'
nothing_written() {
    [ -e sbatch-called ] && fail "sbatch was called ($1)"
    [ "$(ls | grep -vxE 'bin|out|err|[a-z0-9]*\.cfg')" = "" ] || fail "files written ($1): $(ls)"
    return 0
}
refused() { # LABEL ARGS...: submit and submit --dry-run refuse with exit 2
    local label=$1; shift
    expect_rc 2 bx submit "$@"
    expect_err "cannot go into a batch script"
    nothing_written "$label"
    expect_rc 2 bx submit --dry-run "$@"
    expect_err "cannot go into a batch script"
    nothing_written "$label (dry run)"
}
refused "db newline" trivial --db "x${NL}touch pwned${NL}.db"
refused "db carriage return" trivial --db "x"$'\r'"y.db"
refused "db tab" trivial --db "x"$'\t'"y.db"
refused "db escape" trivial --db "x"$'\e'"[31my.db"
refused "db not UTF-8" trivial --db "x"$'\xff'"y.db"
BENCHAAS_DB="e${NL}id${NL}.db" refused "BENCHAAS_DB" trivial
BENCHAAS_WORKER="/w${NL}touch pwned" refused "worker path" trivial
# from a configuration file
cat > db.cfg <<'CFG'
database = "r\ntouch pwned\n.db";
experiments = ( { plugin = "trivial"; } );
CFG
refused "database in the file" db.cfg
cat > spool.cfg <<'CFG'
slurm = { spool = "sp\nrm -rf /\n"; };
experiments = ( { plugin = "trivial"; } );
CFG
refused "slurm.spool" spool.cfg --db ok.db
cat > env.cfg <<'CFG'
slurm = { env = { A = "x\ntouch pwned"; }; };
experiments = ( { plugin = "trivial"; } );
CFG
refused "slurm.env value" env.cfg --db ok.db
[ -e pwned ] && fail "a command ran"
# quotes, $( ) and spaces are values like any other: single-quoted, accepted
expect_rc 0 bx submit --dry-run trivial --db "a 'b' \$(c).db"
expect_out "'\\''b'\\''"
exit 0
