#!/usr/bin/env bash
# The commands are declared in core/cli/: no `cmd_` entry point, argv loop or
# option splitter outside it, and inside it only opt.c walks argv.
# Usage: cli_commands.sh SOURCE_DIR
set -uo pipefail
cd "$1/core" || exit 2
# Left for later: commands whose entry point and argv loop are still in their
# library (run and submit in cli.c).  A file
# leaves this list when its command moves to core/cli/ with an option table.
allowed=(cli/cli.c)
bad=0
is_allowed() { local a; for a in "${allowed[@]}"; do [ "$a" = "$1" ] && return 0; done; return 1; }
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
    echo "FAIL: $f has a command entry point or an argv loop outside core/cli/"; bad=1
done
for f in "${allowed[@]}"; do
    grep -qE "$pattern" "$f" 2>/dev/null || { echo "FAIL: $f moved: take it off the list"; bad=1; }
done
[ $bad = 0 ] && echo "ok: commands outside core/cli/ only in the ${#allowed[@]} files left for later"
exit $bad
