#!/usr/bin/env bash
# The service calls the library: no file of core/serve/ starts the benchaas binary
# (compare, report, check, submit and collect run in the server's process).  Fails
# when, for example, scheduler.c runs `self_exe check` again: a serve/ file that
# starts a process itself, or that uses the path of its own binary (self_exe,
# /proc/self/exe, exe_dir) beyond handing it on.
# Usage: service_exec.sh SOURCE_DIR
set -uo pipefail
cd "$1/core/serve" || exit 2
bad=0
# apart.c: the isolation child (`benchaas serve --plan-child`) runs the plugin's code
# confined, away from the server; owned by its own branch, its own rule.
# policy.c keeps that path for apart.c and lets the child's sandbox read its folder.
# cmd.c reads /proc/self/exe once and hands it to the policy and the scheduler.
exempt="apart.c"
holds_path="policy.c cmd.c"
for f in *.c; do
    [[ " $exempt " == *" $f "* ]] && continue
    code=$(sed -e 's|/\*.*\*/||g' -e 's|//.*||' "$f")
    if grep -nE '(^|[^a-z_.>])(fork|vfork|exec[lv][ep]*|posix_spawnp?|system|popen)[[:space:]]*\(' \
        <<<"$code" | grep -v '""' | head -3 | grep .; then
        echo "FAIL: serve/$f starts a process itself"
        bad=1
    fi
    [[ " $holds_path " == *" $f "* ]] && continue
    # reading the binary's own path: any use of self_exe but an initialiser (.self_exe = ...)
    if grep -nE '/proc/self/exe|exe_dir[[:space:]]*\(|self_exe' <<<"$code" |
        grep -vE '\.self_exe[[:space:]]*=' | head -3 | grep .; then
        echo "FAIL: serve/$f uses the path of the benchaas binary: call the library instead"
        bad=1
    fi
done
[ $bad = 0 ] && echo "ok: the service never runs its own binary (but the isolation child of apart.c)"
exit $bad
