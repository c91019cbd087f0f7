# One parser reads the options of every declared command (core/cli/opt.c):
# --opt=value and --opt value, -xVALUE and -x VALUE, one wording for a missing
# value, a value given to a flag, and an unknown option with did-you-mean.
. "$TEST_LIB" || exit 1
# -pNB=128 is -p NB=128 for query too (it was an unknown option there)
for p in -pNB=128 "-p NB=128" --param=NB=128 "--param NB=128"; do
    expect_rc 2 bx query $p --db none.db
    expect_err "no database at 'none.db'"
done
# a missing value: the same words for every command (collect and status said "unknown argument")
for c in collect status query sql plugins; do
    case $c in plugins) o=--plugin-path ;; *) o=--db ;; esac
    expect_rc 2 bx $c $o
    expect_err "benchaas $c: $o needs a value"
done
expect_rc 2 bx query -o
expect_err "benchaas query: -o needs a value"
# a flag given a value
expect_rc 2 bx collect --keep-spool=yes
expect_err "benchaas collect: --keep-spool takes no value"
expect_rc 2 bx query --latest=1
expect_err "benchaas query: --latest takes no value"
# did you mean
expect_rc 2 bx query --formt csv
expect_err "unknown option '--formt'; did you mean '--format'?"
expect_rc 2 bx plugins --jsn
expect_err "unknown option '--jsn'; did you mean '--json'?"
expect_rc 2 bx collect --zzzzzz
expect_err "unknown option '--zzzzzz'"
grep -q "did you mean" "$TMP/err" && fail "a suggestion for a name close to none"
# positional arguments
expect_rc 2 bx collect extra
expect_err "benchaas collect: unexpected argument 'extra'"
expect_rc 2 bx describe stream extra
expect_err "unexpected argument 'extra'"
[ -e benchaas.db ] && fail "benchaas.db written"
exit 0
