# One parser reads the options of every command (core/cli/opt.c):
# --opt=value and --opt value, -xVALUE and -x VALUE, one wording for a missing
# value, a value given to a flag, and an unknown option with did-you-mean.
# Fails when a command reads its arguments its own way again (its own words for
# a missing value or an unknown option, -pNB=128 refused).
. "$TEST_LIB" || exit 1
# -pNB=128 is -p NB=128 for query too (it was an unknown option there)
for p in -pNB=128 "-p NB=128" --param=NB=128 "--param NB=128"; do
    expect_rc 2 bx query $p --db none.db
    expect_err "no database at 'none.db'"
done
# a missing value: the same words for every command (collect and status said "unknown argument")
for c in collect status query sql plugins run submit check report push serve user token; do
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
expect_rc 2 bx baseline set --db
expect_err "benchaas baseline: --db needs a value"
# did you mean, for every command (serve said "unexpected argument '--lisen'")
for c in run check report push serve user token baseline; do
    a=; [ $c = baseline ] && a=list
    expect_rc 2 bx $c $a --dbb x.db
    expect_err "benchaas $c: unknown option '--dbb'; did you mean '--db'?"
done
expect_rc 2 bx serve --lisen 127.0.0.1:0
expect_err "unknown option '--lisen'; did you mean '--listen'?"
# no suggestion for an unknown letter
expect_rc 2 bx check -Z
grep -q "did you mean" "$TMP/err" && fail "a suggestion for -Z: $(cat "$TMP/err")"
# -pNB=128 is -p NB=128 for check, report and push too (they said "unknown option")
expect_rc 2 bx check -pNB=128 --db none.db
expect_err "no database at 'none.db'"
expect_rc 2 bx report -pNB=128 --db none.db --html r.html
expect_err "no database at 'none.db'"
expect_rc 2 bx push -pNB=128 --db none.db --server http://127.0.0.1:1 --token t
expect_err "no database at 'none.db'"
# an option of check --across-nodes alone names it
expect_rc 2 bx check --drain --db none.db
expect_err "benchaas check: --drain goes with --across-nodes"
[ -e benchaas.db ] && fail "benchaas.db written"
exit 0
