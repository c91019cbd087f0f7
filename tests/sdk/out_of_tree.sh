#!/bin/bash
# sdk.install.out_of_tree — the installed SDK, as a third-party plugin author uses it.
#
#  1. `cmake --install` the build tree into a temporary prefix: every file a
#     plugin author needs is there.
#  2. Build examples/third_party_plugin against it with CMake
#     (find_package(benchaas) + benchaas_add_plugin), run its unit test, run
#     the plugin with the installed runner, find its metric in the `results`
#     view; `cmake --install` of the plugin lands where the runner looks.
#  3. The same with pkg-config and plain cc (the documented one-liner), and
#     with the example's Makefile (`make install` into plugindir).
#  4. Move the prefix: the runner still finds its plugins, find_package and
#     pkg-config point into the new place.
#
# Environment (set by ctest): BENCHAAS_BUILD, BENCHAAS_SOURCE, CMAKE, CTEST, CC.
# Exit 0 pass, 1 fail, 77 skip (a tool is missing).
set -u
: "${BENCHAAS_BUILD:?the build tree}" "${BENCHAAS_SOURCE:?the source tree}"
CMAKE=${CMAKE:-cmake}
CTEST=${CTEST:-ctest}
CC=${CC:-cc}
EX=$BENCHAAS_SOURCE/examples/third_party_plugin

TMP=$(mktemp -d "${TMPDIR:-/tmp}/benchaas-sdk.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
# Nothing from the caller's environment may help the runner or the builds.
unset BENCHAAS_PLUGIN_PATH BENCHAAS_DB PKG_CONFIG_PATH CMAKE_PREFIX_PATH CFLAGS LDFLAGS

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
step() { echo "== $*"; }
# quiet CMD...: run it, show its output only when it fails.
quiet() { "$@" >"$TMP/log" 2>&1 || { cat "$TMP/log" >&2; fail "exit $?: $*"; }; }
eq() { [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }
sql() { sqlite3 -batch "$1" "$2"; }

for tool in sqlite3 pkg-config; do
    command -v "$tool" >/dev/null || skip "$tool is not installed"
done

LIBDIR=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:[A-Z]*=//p' "$BENCHAAS_BUILD/CMakeCache.txt")
LIBDIR=${LIBDIR:-lib}
PFX=$TMP/pfx
PLUGDIR=$LIBDIR/benchaas/plugins
SMALL=(-p size=64k -p loads=100000 --repetitions 2)

# ---- 1. the install ------------------------------------------------------
step "install $BENCHAAS_BUILD into $PFX"
quiet "$CMAKE" --install "$BENCHAAS_BUILD" --prefix "$PFX"
for f in bin/benchaas bin/benchaas-worker \
         include/benchaas/benchaas.h include/benchaas/plugin.h include/benchaas/sdk.h \
         include/benchaas/mock.h "$LIBDIR/libbenchaas-sdk.a" \
         "$LIBDIR/cmake/benchaas/benchaasConfig.cmake" \
         "$LIBDIR/cmake/benchaas/benchaasConfigVersion.cmake" \
         "$LIBDIR/cmake/benchaas/benchaasTargets.cmake" \
         "$LIBDIR/cmake/benchaas/BenchaasPlugin.cmake" \
         "$LIBDIR/pkgconfig/benchaas-sdk.pc"; do
    [ -f "$PFX/$f" ] || fail "the install lacks $f"
done
[ -d "$PFX/$PLUGDIR" ] || fail "the install lacks the plugin folder $PLUGDIR"
# every built-in plugin of the build tree is installed
BUILTIN=()
for so in "$BENCHAAS_BUILD/$PLUGDIR"/*.so; do
    [ -e "$so" ] || continue
    n=$(basename "$so" .so)
    BUILTIN+=("$n")
    [ -f "$PFX/$PLUGDIR/$n.so" ] || fail "built-in plugin $n.so is not installed"
done
echo "built-in plugins: ${BUILTIN[*]:-none}"
BX=$PFX/bin/benchaas

# ---- 2. CMake: find_package(benchaas) + benchaas_add_plugin ---------------
step "build the example with CMake (CMAKE_PREFIX_PATH=$PFX)"
quiet "$CMAKE" -S "$EX" -B "$TMP/b-cmake" -DCMAKE_PREFIX_PATH="$PFX" -DCMAKE_C_COMPILER="$CC" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS="-Wall -Wextra -Werror"
grep -q "^benchaas_DIR:PATH=$PFX/$LIBDIR/cmake/benchaas\$" "$TMP/b-cmake/CMakeCache.txt" ||
    fail "find_package(benchaas) did not use the temporary prefix: $(grep '^benchaas_DIR' "$TMP/b-cmake/CMakeCache.txt")"
quiet "$CMAKE" --build "$TMP/b-cmake"
[ -f "$TMP/b-cmake/latency.so" ] || fail "no latency.so (benchaas_add_plugin: no 'lib' prefix)"
if command -v nm >/dev/null; then
    exported=$(nm -D --defined-only "$TMP/b-cmake/latency.so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sort | tr '\n' ' ')
    eq "$exported" "benchaas_plugin_entry benchaas_plugin_stamp " "the only exported symbols"
fi
(cd "$TMP/b-cmake" && quiet "$CTEST" --output-on-failure) || exit 1

step "run it with the installed runner"
quiet "$BX" run latency --plugin-path "$TMP/b-cmake" --db "$TMP/x.db" "${SMALL[@]}"
eq "$(sql x.db "SELECT status FROM runs_view")" ok "status"
lat=$(sql x.db "SELECT value FROM results WHERE plugin='latency' AND metric='latency'")
awk -v v="$lat" 'BEGIN { exit !(v > 0 && v < 100000) }' || fail "latency '$lat' ns is not plausible"
eq "$(sql x.db "SELECT unit || ' ' || better FROM results WHERE metric='latency'")" "ns lower" "unit, better"
eq "$(sql x.db "SELECT value FROM results WHERE metric='valid'")" 1.0 "valid"
eq "$(sql x.db "SELECT count(*) FROM samples WHERE metric='latency'")" 2 "one sample per repetition"
eq "$(sql x.db "SELECT min(value) = (SELECT value FROM results WHERE metric='latency') FROM samples WHERE metric='latency'")" 1 \
    "the value of a lower-is-better metric is its best sample"
eq "$(sql x.db "SELECT value FROM run_meta WHERE key='lines'")" 1024 "meta lines"

step "the plugin's check() refuses bad input: exit 2, nothing stored"
"$BX" run latency --plugin-path "$TMP/b-cmake" --db "$TMP/x.db" -p size=100000 >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 2 ] || { cat "$TMP/err"; fail "check(): exit $rc, want 2"; }
grep -q "multiple of line" "$TMP/err" || { cat "$TMP/err"; fail "check()'s message not shown"; }
"$BX" run latency --plugin-path "$TMP/b-cmake" --db "$TMP/x.db" -p pattern=zigzag >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 2 ] || { cat "$TMP/err"; fail "bad enum: exit $rc, want 2"; }
eq "$(sql x.db "SELECT count(*) FROM runs")" 1 "runs after refused input"

step "cmake --install of the plugin lands in the runner's plugin folder"
quiet "$CMAKE" --install "$TMP/b-cmake"
[ -f "$PFX/$PLUGDIR/latency.so" ] || fail "latency.so not installed into $PFX/$PLUGDIR"
quiet "$BX" plugins --json
grep -qF "$(realpath "$PFX/$PLUGDIR")/latency.so" "$TMP/log" || { cat "$TMP/log"; fail "the runner does not list the installed latency.so"; }
rm -f "$PFX/$PLUGDIR/latency.so"

# ---- 3. pkg-config and plain cc -------------------------------------------
export PKG_CONFIG_PATH=$PFX/$LIBDIR/pkgconfig
step "pkg-config (PKG_CONFIG_PATH=$PKG_CONFIG_PATH)"
plugindir=$(pkg-config --variable=plugindir benchaas-sdk) || fail "pkg-config does not know benchaas-sdk"
eq "$(realpath "$plugindir")" "$(realpath "$PFX/$PLUGDIR")" "plugindir"
mkdir -p "$TMP/b-pc"
# shellcheck disable=SC2046 # word splitting of pkg-config's output is intended
quiet "$CC" -std=c17 -O2 -Wall -Wextra -Werror $(pkg-config --cflags benchaas-sdk) -shared \
    -o "$TMP/b-pc/latency.so" "$EX/latency.c" "$EX/chase.c" $(pkg-config --libs benchaas-sdk)
quiet "$BX" run latency --plugin-path "$TMP/b-pc" --db "$TMP/x.db" "${SMALL[@]}" -p pattern=sequential
eq "$(sql x.db "SELECT count(*) FROM results WHERE metric='latency' AND value > 0 AND status='ok'")" 2 \
    "latency runs in the database"

if command -v make >/dev/null; then
    step "the example's Makefile: make check install"
    mkdir -p "$TMP/b-make"
    quiet make -C "$TMP/b-make" -f "$EX/Makefile" CC="$CC" CFLAGS="-O2 -Wall -Wextra -Werror" all check install
else
    step "no make: install the pkg-config build into plugindir by hand"
    install -m 755 "$TMP/b-pc/latency.so" "$plugindir/latency.so"
fi
[ -f "$PFX/$PLUGDIR/latency.so" ] || fail "latency.so is not in plugindir"

# ---- 4. the prefix is relocatable ------------------------------------------
PFX2=$TMP/moved/pfx2
mkdir -p "$TMP/moved"
step "move $PFX to $PFX2"
mv "$PFX" "$PFX2"
BX=$PFX2/bin/benchaas
quiet "$BX" plugins --json
for n in "${BUILTIN[@]}" latency; do
    grep -qF "$(realpath "$PFX2/$PLUGDIR")/$n.so" "$TMP/log" ||
        { cat "$TMP/log"; fail "after the move, the runner does not find $n.so"; }
done
quiet "$BX" run latency --db "$TMP/x.db" "${SMALL[@]}"
eq "$(sql x.db "SELECT count(*) FROM runs WHERE status='ok'")" 3 "runs after the move"

export PKG_CONFIG_PATH=$PFX2/$LIBDIR/pkgconfig
eq "$(realpath "$(pkg-config --variable=plugindir benchaas-sdk)")" "$(realpath "$PFX2/$PLUGDIR")" \
    "plugindir after the move"
case "$(pkg-config --cflags benchaas-sdk)" in
*"$PFX2"*) ;;
*) fail "pkg-config --cflags does not point into the moved prefix: $(pkg-config --cflags benchaas-sdk)" ;;
esac

step "find_package from the moved prefix; install goes into it"
rm -f "$PFX2/$PLUGDIR/latency.so"
quiet "$CMAKE" -S "$EX" -B "$TMP/b-moved" -DCMAKE_PREFIX_PATH="$PFX2" -DCMAKE_C_COMPILER="$CC" \
    -DBUILD_TESTING=OFF
quiet "$CMAKE" --build "$TMP/b-moved"
quiet "$CMAKE" --install "$TMP/b-moved"
[ -f "$PFX2/$PLUGDIR/latency.so" ] || fail "after the move, the plugin is not installed into $PFX2/$PLUGDIR"

echo "PASS"
