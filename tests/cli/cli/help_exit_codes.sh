# --help of benchaas and of each command prints a usage on stdout and exits 0;
# `benchaas` without a command prints it on stderr and exits 2.
. "$TEST_LIB" || exit 1
expect_rc 0 bx --help
expect_out "usage: benchaas"
for c in plugins describe run query collect worker; do
    expect_out "$c"          # every command is in the main help
done
for c in plugins describe run query collect worker; do
    expect_rc 0 bx "$c" --help
    expect_out "usage: benchaas $c"
done
# run --help documents every option of docs/cli.md
expect_rc 0 bx run --help
for o in --db --launcher --ranks --threads --repetitions --timeout --plugin-path --tag --json --dry-run --only; do
    expect_out "$o"
done
expect_rc 2 bx
expect_err "usage: benchaas"
[ -e benchaas.db ] && fail "benchaas.db written"
exit 0
