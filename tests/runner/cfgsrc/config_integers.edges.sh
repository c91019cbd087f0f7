# Integers in configuration files get the checks the command line's -p gets:
# libconfig 1.5 wraps 2^31 and more silently (threads = 4294967298 ran 2
# threads, timeout = 4294967297 became 1 s), so every integer literal is read
# whole as 64 bits, and one beyond 64 bits is refused.  Each is exit 2 with
# file:line and the value as the user wrote it; nothing runs or is written.
. "$TEST_LIB" || exit 1
try() { # SETTING-LINE WANT: a configuration with that line is refused saying WANT
    printf 'experiments = (\n  { plugin = "trivial";\n    %s } );\n' "$1" > c.cfg
    expect_rc 2 bx run c.cfg --db x.db
    expect_err "c.cfg:3:"
    expect_err "$2"
    [ -e x.db ] && fail "x.db written ($1)"
    return 0
}
try "threads = 4294967298;" "'threads' = 4294967298 is out of range (1 .. 100000)"
try "threads = 2147483648;" "'threads' = 2147483648 is out of range"
try "threads = -4294967295;" "'threads' = -4294967295 is out of range"
try "threads = 0x100000002;" "'threads' = 0x100000002 is out of range"
try "ranks = 4294967297L;" "'ranks' = 4294967297 is out of range"
try "repetitions = 4294967297;" "'repetitions' = 4294967297 is out of range"
try "timeout = 4294967297;" "'timeout' = 4294967297 is out of range"
try "threads = 99999999999999999999;" "the integer 99999999999999999999 is too large"
try "params = { count = 4294967298; };" "value '4294967298' for 'count' is out of range"
try "params = { count = [5, 4294967297]; };" "value '4294967297' for 'count' is out of range"
try "params = { count = [1, 2, 0x1000000001]; };" "for 'count' is out of range"
# in the defaults group, and a sweep of ranks
printf 'defaults = {\n  timeout = 4294967297; };\nexperiments = ( { plugin = "trivial"; } );\n' > d.cfg
expect_rc 2 bx run d.cfg --db x.db
expect_err "d.cfg:2: 'timeout' = 4294967297 is out of range"
# the service's configuration is read the same way (when this build has `serve`)
if bx serve --help >/dev/null 2>&1; then
    printf 'serve = {\n  slots = 4294967298; };\n' > sv.cfg
    expect_rc 2 timeout 20 "$BENCHAAS" serve --config sv.cfg --db x.db
    expect_err "sv.cfg:2: 'slots' = 4294967298"
    printf 'serve = { quotas = { ranks = 0x100000000; }; };\n' > sq.cfg
    expect_rc 2 timeout 20 "$BENCHAAS" serve --config sq.cfg --db x.db
    expect_err "sq.cfg:1: 'ranks' = 0x100000000"
    mkfifo sf.cfg
    expect_rc 2 timeout 20 "$BENCHAAS" serve --config sf.cfg --db x.db
    expect_err "not a regular file"
    [ -e x.db ] && fail "serve wrote x.db"
fi
# values that fit are read as they are (an int, a hex, a list)
printf 'experiments = ( { plugin = "trivial"; threads = 0x2; repetitions = 2;\n  params = { count = [5, 0x10]; }; } );\n' > ok.cfg
expect_rc 0 bx run ok.cfg --dry-run
expect_out '"threads":	2'
expect_out '"count":	"16"'
# a string that looks like a number is left alone
printf 'experiments = ( { plugin = "trivial"; params = { label = "4294967298"; }; } );\n' > s.cfg
expect_rc 0 bx run s.cfg --dry-run
expect_out '"label":	"4294967298"'
exit 0
