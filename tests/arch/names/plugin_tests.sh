#!/usr/bin/env bash
# A plugin's tests are named as the core's: every test labelled with a plugin's name P is
# P.FILE.CASE with plugins/P/FILE.c a source file of it, and benchaas_add_plugin_test (the
# SDK's CMake module, sdk/cmake/BenchaasPlugin.cmake) stops the configure step on a FILE that
# is not one, or on a name of another shape.  Fails when, for example, a plugin's
# tests/CMakeLists.txt goes back to add_test(NAME ior.badinput ...), a test is named after a
# file that was renamed, or the helper's check that FILE.c exists is dropped.
# Usage: plugin_tests.sh SOURCE_DIR BUILD_DIR CMAKE CTEST
set -uo pipefail
src=$1 build=$2 cmake=$3 ctest=$4
bad=0
fail() { echo "FAIL: $*" >&2; bad=1; }

# 1. The registered tests: ctest's own list, checked against the plugins' folders.
json=$(cd "$build" && "$ctest" --show-only=json-v1) || { echo "ctest --show-only failed" >&2; exit 1; }
plugins=$(cd "$src/plugins" && ls -d */ | tr -d /)
check_names='
import json, os, re, sys
src, plugins = sys.argv[1], sys.argv[2].split()
n = 0
for t in json.load(sys.stdin)["tests"]:
    labels = next((p["value"] for p in t.get("properties", []) if p["name"] == "LABELS"), [])
    mine = [p for p in plugins if p in labels or t["name"].startswith(p + ".")]
    if not mine:
        continue
    n += 1
    m = re.fullmatch(r"([a-z0-9_]+)\.([a-z0-9_]+)\.([a-z0-9_]+)", t["name"])
    if not m or m.group(1) not in mine:
        print("BAD %s: a test of plugin %s is %s.FILE.CASE" % (t["name"], mine[0], mine[0]))
    elif not os.path.isfile(os.path.join(src, "plugins", m.group(1), m.group(2) + ".c")):
        print("BAD %s: plugins/%s/%s.c is no source file" % (t["name"], m.group(1), m.group(2)))
    elif m.group(1) not in labels:
        print("BAD %s: not labelled %s" % (t["name"], m.group(1)))
print("COUNT %d" % n)
'
out=$(python3 -c "$check_names" "$src" "$plugins" <<<"$json") || fail "the test list could not be read"
while IFS= read -r line; do
    case $line in
    BAD*) fail "${line#BAD }" ;;
    COUNT*) count=${line#COUNT } ;;
    esac
done <<<"$out"

# 2. The helper refuses what would break the convention, at the configure step.
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/demo/tests"
: >"$tmp/demo/demo.c"
try() {  # try CALL...: configure a plugin whose tests/CMakeLists.txt holds CALL; prints its output
    printf 'cmake_minimum_required(VERSION 3.18)\nproject(demo NONE)\nenable_testing()\ninclude(%s/sdk/cmake/BenchaasPlugin.cmake)\nadd_subdirectory(tests)\n' \
        "$src" >"$tmp/demo/CMakeLists.txt"
    printf '%s\n' "$@" >"$tmp/demo/tests/CMakeLists.txt"
    rm -rf "$tmp/b"
    "$cmake" -S "$tmp/demo" -B "$tmp/b" 2>&1
}
o=$(try 'benchaas_add_plugin_test(demo demo ok TIMEOUT 7 ENVIRONMENT A=1 B=2 PROPERTIES SKIP_RETURN_CODE 77 COMMAND true)') ||
    fail "a well-formed test refused: $o"
j=$(cd "$tmp/b" && "$ctest" --show-only=json-v1 2>/dev/null)
check_demo='
import json, sys
t = json.load(sys.stdin)["tests"]
p = {x["name"]: x["value"] for x in t[0]["properties"]}
assert [x["name"] for x in t] == ["demo.demo.ok"], t
assert p["LABELS"] == ["demo"] and p["TIMEOUT"] == 7 and p["SKIP_RETURN_CODE"] == 77, p
assert p["ENVIRONMENT"] == ["A=1", "B=2"], p
'
python3 -c "$check_demo" <<<"$j" || fail "demo.demo.ok: not registered with its properties"
o=$(try 'benchaas_add_plugin_test(demo nosuch bad COMMAND true)') && fail "FILE nosuch (no nosuch.c) accepted"
o=$(tr -s ' \n' '  ' <<<"$o")   # CMake wraps its messages
[[ $o == *"nosuch is not a source file of the plugin"* ]] || fail "FILE nosuch: no clear error: $o"
for call in 'benchaas_add_plugin_test(demo demo a.b COMMAND true)' \
            'benchaas_add_plugin_test(Demo demo ok COMMAND true)' \
            'benchaas_add_plugin_test(demo demo ok)'; do
    o=$(try "$call") && fail "accepted: $call"
done
if [ "$bad" = 0 ] && [ "${count:-0}" -eq 0 ]; then
    echo "SKIP: no plugin built (BENCHAAS_PLUGINS): no plugin test to check" >&2
    exit 77
fi
exit $bad
