#!/bin/bash
# docs/images/report-demo.sh BUILD OUT.png — the report as a new user first
# sees it: a few real runs of STREAM (an array-size sweep), IOR (an api sweep,
# posix vs mpiio: a categorical parameter) and HPL, rendered by headless
# Chromium.  Made the before/after pictures of docs/images/ (report-*.png).
set -eu
build=$(cd "${1:?usage: report-demo.sh BUILD OUT.png}" && pwd)
out=$(realpath -m "${2:?usage: report-demo.sh BUILD OUT.png}")
bx="$build/bin/benchaas"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
for i in 1 2; do
    "$bx" run stream -p array_size=100000,1000000,10000000 --repetitions 3 --db d.db --quiet >/dev/null
    "$bx" run ior -p api=posix,mpiio -p block_size=4m -p transfer_size=1m --ranks 2 --db d.db --quiet >/dev/null
    "$bx" run hpl -p N=400 -p NB=32,64 --db d.db --quiet >/dev/null
done
"$bx" report --db d.db --html report.html --title "BenchaaS report (demo)"
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
"$browser" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --disable-extensions --user-data-dir="$tmp/profile" \
    --screenshot="$out" --window-size=1200,2400 "file://$tmp/report.html" >/dev/null 2>&1
echo "$out"
