# A binary file given as the configuration is refused (exit 2, "not a text
# file", nothing written), be it random bytes or a shared object.
. "$TEST_LIB" || exit 1
printf 'experiments = (\n\000\001\002\003' > c.cfg
expect_rc 2 bx run c.cfg --db x.db
expect_err "c.cfg:2:"
expect_err "not a text file"
cp "$BENCHAAS_TEST_PLUGINS/good/trivial.so" lib.cfg
expect_rc 2 bx run lib.cfg --db x.db
expect_err "lib.cfg"
expect_err "not a text file"
[ -e x.db ] || [ -e x.db.spool ] && fail "x.db written"
exit 0
