#!/usr/bin/env bash
# `cpack -G DEB` builds a Debian package of the whole install: runner, workers,
# plugins, SDK, man page, bash completion, documentation and the systemd unit of `benchaas serve`,
# with its library dependencies found by dpkg-shlibdeps.  Usage: contents.sh BUILD
set -uo pipefail
build=$1
command -v dpkg-deb >/dev/null && command -v cpack >/dev/null || { echo "SKIP: no dpkg-deb/cpack"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/benchaas-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$build" && cpack -G DEB -B "$tmp" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; echo "FAIL: cpack"; exit 1; }
deb=$(ls "$tmp"/benchaas_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { cat "$tmp/cpack.log"; echo "FAIL: no .deb made"; exit 1; }
dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$tmp/files"
for f in /usr/bin/benchaas /usr/bin/benchaas-worker /usr/lib/x86_64-linux-gnu/benchaas/plugins/stream.so \
         /usr/lib/x86_64-linux-gnu/benchaas/plugins/hpl.so /usr/include/benchaas/plugin.h \
         /usr/share/man/man1/benchaas.1 /usr/share/bash-completion/completions/benchaas \
         /usr/lib/systemd/system/benchaas.service \
         /usr/share/doc/benchaas/serve.md; do
    f=${f/x86_64-linux-gnu/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)}
    grep -qxF "$f" "$tmp/files" || grep -qxF "${f/\/lib\/x86_64-linux-gnu/\/lib}" "$tmp/files" \
        || { cat "$tmp/files"; echo "FAIL: the package lacks $f"; exit 1; }
done
deps=$(dpkg-deb -f "$deb" Depends)
for d in libmicrohttpd libsodium libcurl libsqlite3 libconfig; do
    [[ $deps == *$d* ]] || { echo "FAIL: Depends lacks $d: $deps"; exit 1; }
done
echo "ok: $(basename "$deb"), $(wc -l <"$tmp/files") entries; Depends: $deps"
