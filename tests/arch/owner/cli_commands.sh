#!/usr/bin/env bash
# The commands are declared in core/cli/: no `cmd_` entry point, argv loop or
# option splitter outside it, and inside it only opt.c walks argv.  Every
# command reads its options through opt.c's one parser from its table.
# Fails when a loop comes back: e.g. a `for (int i = 1; i < argc; i++)` over
# argv in results/report.c, a `static int cmd_report(` there, or a
# `strcmp(argv[i], "--x")` in core/cli/report_cmd.c.
# Usage: cli_commands.sh SOURCE_DIR
set -uo pipefail
cd "$1/core" || exit 2
# Files allowed an entry point or a loop of their own, each with its reason (none today).
allowed=()
bad=0
is_allowed() { local a; for a in ${allowed[@]+"${allowed[@]}"}; do [ "$a" = "$1" ] && return 0; done; return 1; }
# a definition of a cmd_ function, an argv loop, or an option splitter
pattern='^(static )?int cmd_[a-z_]*\(|for \(int [a-z]+ = [01]; [a-z]+ < argc|query_next_arg\(|strcmp\(argv\[[a-z]+\], "-'
found=$(grep -rlE "$pattern" --include='*.c' . | sed 's|^\./||' | sort)
for f in $found; do
    [ "$f" = cli/opt.c ] && continue
    case $f in cli/*_cmd.c)
        # a command's file of core/cli/ declares its options; it reads no argv itself
        if grep -nE 'for \(int [a-z]+ = [01]; [a-z]+ < argc|strcmp\(argv\[' "$f"; then
            echo "FAIL: $f reads argv itself: declare its options (opt.h)"; bad=1
        fi
        continue ;;
    esac
    is_allowed "$f" && continue
    grep -nE "$pattern" "$f" | head -3
    echo "FAIL: $f has a command entry point or an argv loop outside a command's file of core/cli/"; bad=1
done
for f in ${allowed[@]+"${allowed[@]}"}; do
    grep -qE "$pattern" "$f" 2>/dev/null || { echo "FAIL: $f moved: take it off the list"; bad=1; }
done
# every command of the table has its file, and its file its option table
for c in $(sed -n 's/^    {"\([a-z]*\)", cmd_[a-z]*,.*/\1/p' cli/cmdtab.c | sort -u); do
    ls cli/*_cmd.c | xargs grep -lE "^int cmd_$c\(" >/dev/null || { echo "FAIL: cmd_$c is not in a command's file of core/cli/"; bad=1; }
done
[ $bad = 0 ] && echo "ok: every command is declared in core/cli/; no argv loop elsewhere"
exit $bad
