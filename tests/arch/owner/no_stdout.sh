#!/usr/bin/env bash
# The libraries render to a FILE * they are given: no `stdout`, printf,
# puts or putchar in core/results, core/runner, core/serve, core/store and
# core/common (comments and string literals aside), but in the files listed
# below, each with its reason.  Where the output goes is the command's
# choice (core/cli/), so the service can call the same function with its own
# stream.  Fails when one comes back: e.g. `printf("%s\n", txt);` in
# core/runner/run.c's --dry-run, or `fputs(t, stdout)` in core/results/check.c.
# Usage: no_stdout.sh SOURCE_DIR
set -uo pipefail
cd "$1/core" || exit 2
# FILE REASON
allowed=(
  "serve/apart.c the confined plan child answers its parent on its stdout, a pipe the parent made"
)
is_allowed() { local a; for a in "${allowed[@]}"; do [ "${a%% *}" = "$1" ] && return 0; done; return 1; }
bad=0
for f in results/*.c runner/*.c serve/*.c store/*.c common/*.c; do
    [ -e "$f" ] || continue
    # comments and string literals blanked (their newlines kept, so line numbers hold)
    hits=$(perl -0777 -pe '
        s{/\*(.*?)\*/}{ (my $c = $1) =~ tr/\n//cd; $c }gse;
        s{//[^\n]*}{}g;
        s{format\s*\(\s*printf}{format(FMT}g;
        s{"(?:\\.|[^"\\\n])*"}{""}g;
        s{'"'"'(?:\\.|[^'"'"'\\\n])*'"'"'}{0}g;' "$f" |
        grep -nE '(^|[^A-Za-z0-9_])(stdout|printf|vprintf|puts|putchar)([^A-Za-z0-9_]|$)')
    [ -z "$hits" ] && continue
    is_allowed "$f" && continue
    echo "$hits" | head -5 | sed "s|^|$f:|"
    echo "FAIL: $f writes to stdout itself: take a FILE * from the command (core/cli/)"; bad=1
done
for a in "${allowed[@]}"; do
    f=${a%% *}
    grep -qE '(stdout|printf|puts|putchar)' "$f" 2>/dev/null || { echo "FAIL: $f is clean now: take it off the list"; bad=1; }
done
[ $bad = 0 ] && echo "ok: the libraries write to the FILE * they are given (${#allowed[@]} allowed file)"
exit $bad
