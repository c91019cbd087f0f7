# Where results go: --db, else BENCHAAS_DB, else the configuration's database,
# else ./benchaas.db; --db wins over the others.
. "$TEST_LIB" || exit 1
mkdir w && cd w || fail "mkdir"
expect_rc 0 bx run trivial
[ -f benchaas.db ] || fail "no ./benchaas.db by default"
BENCHAAS_DB=env.db expect_rc 0 bx run trivial
[ -f env.db ] || fail "BENCHAAS_DB ignored"
BENCHAAS_DB=env.db expect_rc 0 bx run trivial --db opt.db
eq "$(sql opt.db "SELECT count(*) FROM runs")" 1 "--db over BENCHAAS_DB"
eq "$(sql env.db "SELECT count(*) FROM runs")" 1 "BENCHAAS_DB untouched when --db is given"
printf 'database = "cfg.db";\nexperiments = ( { plugin = "trivial"; } );\n' > ../c.cfg
expect_rc 0 bx run ../c.cfg
[ -f cfg.db ] || fail "the configuration's database is ignored"
expect_rc 0 bx run ../c.cfg --db opt.db
eq "$(sql opt.db "SELECT count(*) FROM runs")" 2 "--db over the configuration"
eq "$(sql cfg.db "SELECT count(*) FROM runs")" 1 "the configuration's database untouched"
eq "$(sql benchaas.db "SELECT count(*) FROM runs")" 1 "./benchaas.db untouched"
exit 0
