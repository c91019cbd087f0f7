# The report as a person sees it: headless Chromium renders it; the screenshot
# is not blank and shows the charts (pixels in the colours of their series;
# a blank page has none).  Skips (77) without Chromium.
. "$TEST_LIB"
. "$RESULTS_LIB"
browser=
for b in chromium chromium-browser google-chrome; do
    command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }
done
[ -n "$browser" ] || skip "no chromium (apt-get install chromium)"
# the PNG check: our zlib decoder, else python3, else skip
png_stats() {
    if [ -n "${PNG_CHECK:-}" ] && [ -x "$PNG_CHECK" ]; then
        "$PNG_CHECK" "$1"
    elif command -v python3 >/dev/null 2>&1; then
        python3 - "$1" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
bpp = {2: 3, 6: 4}[ctype]
raw, stride, prev, rows = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []
for y in range(h):
    f, cur = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for x in range(stride):
        a = cur[x - bpp] if x >= bpp else 0
        b, c = prev[x], prev[x - bpp] if x >= bpp else 0
        if f == 1: cur[x] = (cur[x] + a) & 255
        elif f == 2: cur[x] = (cur[x] + b) & 255
        elif f == 3: cur[x] = (cur[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            cur[x] = (cur[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(cur)
    prev = cur
colors, nonwhite, chart = set(), 0, 0
for r in rows:
    for x in range(0, stride, bpp):
        rgb = (r[x], r[x + 1], r[x + 2])
        colors.add(rgb)
        nonwhite += rgb != (255, 255, 255)
        chart += (abs(rgb[0] - 0xE6) < 24 and abs(rgb[1] - 0x9F) < 24 and rgb[2] < 24) or \
                 (rgb[0] < 24 and abs(rgb[1] - 0x9E) < 24 and abs(rgb[2] - 0x73) < 24)
print(w, h, "colors=%d" % len(colors), "nonwhite=%.4f" % (nonwhite / (w * h)), "chart=%d" % chart)
PY
    else
        skip "neither the png_check helper (zlib) nor python3 to read the screenshot"
    fi
}
# Chromium, kept off the network and away from the user's profile
shot() {
    local profile
    profile=$(mktemp -d "$TMP/profile.XXXXXX")
    timeout 90 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-default-apps --disable-extensions --no-default-browser-check \
        --user-data-dir="$profile" --screenshot="$2" --window-size=1200,2000 \
        "file://$TMP/$1" >"$TMP/chromium.log" 2>&1
    [ -s "$2" ] || { cat "$TMP/chromium.log"; fail "Chromium wrote no screenshot of $1"; }
}

for nb in 128 192 256; do
    series x.db "nb$nb" 8 "$(day 30)" 86400 node01 "$(p NB $nb)" gflops GFLOP/s higher $((nb / 4 + 20)) 0.03 3 "$nb"
    series x.db "nb$nb-2" 8 "$(day 30)" 86400 node02 "$(p NB $nb)" gflops GFLOP/s higher $((nb / 4 + 24)) 0.03 3 "$((nb + 5))"
done
ingest x.db
expect_rc 0 bx report --db x.db --html report.html
shot report.html report.png
read -r w h colors nonwhite chart < <(png_stats report.png)
echo "report screenshot: ${w}x$h ${colors} ${nonwhite} ${chart}"
eq "$w" 1200 "screenshot width"
colors=${colors#colors=}
nonwhite=${nonwhite#nonwhite=}
[ "$colors" -ge 64 ] || fail "the rendered report has only $colors colours: blank?"
awk -v f="$nonwhite" 'BEGIN { exit !(f >= 0.03) }' || fail "the rendered report is $nonwhite non-white: blank?"
# the charts' series colours are on screen (the first screen holds the over-time charts)
[ "${chart#chart=}" -ge 200 ] || fail "only ${chart#chart=} pixels in the charts' colours: no charts?"

# the report with headline charts, "more metrics" and a categorical sweep drawn as dots
ior_docs y.db
ingest y.db
expect_rc 0 bx report --db y.db --html charts.html
shot charts.html charts.png
read -r _ _ ccolors cnonwhite cchart < <(png_stats charts.png)
echo "charts screenshot: ${ccolors} ${cnonwhite} ${cchart}"
[ "${ccolors#colors=}" -ge 64 ] || fail "the charts report has only ${ccolors#colors=} colours: blank?"
[ "${cchart#chart=}" -ge 100 ] || fail "only ${cchart#chart=} pixels in the charts' colours"

# the check tells a blank page from the report
printf '<!DOCTYPE html><html><body style="background:#fff"></body></html>' >blank.html
shot blank.html blank.png
read -r _ _ bcolors _ bchart < <(png_stats blank.png)
[ "${bcolors#colors=}" -lt 8 ] || fail "a blank page has ${bcolors#colors=} colours?"
eq "${bchart#chart=}" 0 "chart pixels on a blank page"
exit 0
