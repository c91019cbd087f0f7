#!/usr/bin/env bash
# A library of the results layer that calls into the CLI must fail to link
# (tests/arch/CMakeLists.txt).  Usage: upward_call.sh CMAKE BUILD_DIR
set -uo pipefail
cmake=$1 build=$2
out=$("$cmake" --build "$build" --target arch_probe_upward 2>&1)
rc=$?
if [[ $rc == 0 ]]; then
    echo "FAIL: arch_probe_upward linked: a results library calling cmd_collect was accepted"
    exit 1
fi
if ! grep -q "undefined reference to .cmd_collect" <<<"$out"; then
    echo "FAIL: arch_probe_upward failed, but not on the upward call:"
    echo "$out" | tail -20
    exit 1
fi
echo "ok: the upward call is an undefined reference"
