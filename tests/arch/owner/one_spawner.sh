#!/usr/bin/env bash
# One spawner: a child process is started (fork, vfork, clone, exec*, posix_spawn,
# system, popen) and reaped (wait*) only in core/runner/spawn.c, and waitpid is
# retried on EINTR alone.  Fails when, for example, scheduler.c forks scancel
# itself again, or a `while (waitpid(...) < 0)` loop drops its errno == EINTR test.
# Usage: one_spawner.sh SOURCE_DIR
set -uo pipefail
cd "$1/core" || exit 2
# The spawner, and the files allowed to start processes their own way:
allowed=(runner/spawn.c
         # the run watcher spawn.c is built from: the benchmarks' workers, sandboxed
         runner/launch.c
         # the isolation child (`serve --plan-child`), kept apart by its own branch
         serve/apart.c
         # `benchaas worker` execs the worker in its own place: no child is made
         cli/worker_cmd.c
         # the network guard's supervisor: forked before the seccomp filter, never execs
         common/netguard.c)
bad=0
is_allowed() { local a; for a in "${allowed[@]}"; do [ "$a" = "$1" ] && return 0; done; return 1; }
pattern='(^|[^a-z_.>])(fork|vfork|clone|clone3|execl|execle|execlp|execv|execve|execvp|execvpe|fexecve|posix_spawn|posix_spawnp|system|popen|wait|waitpid|waitid|wait3|wait4)[[:space:]]*\('
for f in $(find . -name '*.c' | sed 's|^\./||' | sort); do
    # comments and strings do not start processes
    hits=$(sed -e 's|/\*.*\*/||g' -e 's|"[^"]*"|""|g' -e 's|//.*||' "$f" | grep -nE "$pattern")
    [ -z "$hits" ] && continue
    if is_allowed "$f"; then
        # waitpid retried on any error loops for ever on ECHILD: EINTR only
        while IFS= read -r line; do
            case $line in
            *while*waitpid*'<'*0*) [[ $line == *EINTR* ]] || {
                echo "FAIL: $f:${line%%:*}: waitpid retried without looking at errno (EINTR only)"
                bad=1; } ;;
            esac
        done <<<"$hits"
        continue
    fi
    echo "$hits" | head -3 | sed "s|^|$f:|"
    echo "FAIL: $f starts or reaps a process itself: go through spawn.h"
    bad=1
done
for f in "${allowed[@]}"; do
    [ -f "$f" ] || { echo "FAIL: $f is gone: take it off the list"; bad=1; }
done
[ $bad = 0 ] && echo "ok: processes are started only by spawn.c (and ${#allowed[@]} - 1 allowed files)"
exit $bad
