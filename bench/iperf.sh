#!/bin/bash
# bench/iperf.sh — the iperf plugin against iperf3 on loopback.
#
#     bench/iperf.sh [BUILD_DIR] [ROUNDS]      (defaults: ./build, 5)
#
# Both tools run the same test: 127.0.0.1, 5 s, 128 KiB send()/recv() calls,
# each tool's default socket buffers (no -w on either side: iperf3 leaves them
# to the kernel, the plugin's sender takes a 256 KiB send buffer when its
# receiver is on the same host, as here), client sends,
# throughput = payload bytes counted by the receiver / test time; with 1 and 2
# streams.  The plugin runs with --repetitions 1 (it has no warm-up), so a
# test of it is not a best-of-N against iperf3's single test.  A round runs
# each tool twice per stream count, A B B A (which tool is A flips every
# round), and a tool's figure in the round is the mean of its two tests: load
# that rises or falls during the round weighs on both alike.  Prints every
# round (the two tests in brackets), then per stream count the medians over
# the rounds, min-max, the ratio plugin / iperf3 of the medians and in how
# many rounds the plugin was at least iperf3's figure, and the load average
# before and after.
#
# LOAD=K (default 0) keeps K busy loops running on the machine through the whole run (each
# a shell spinning, not bound to a core), so both tools meet the same steady competition for
# the CPUs: the "under load" figure.
#
# The plugin runs through `benchaas run` when BUILD_DIR/bin/benchaas exists,
# else through the mock-host driver BUILD_DIR/bin/iperf_host (the same
# plugin code, without the runner).  Needs iperf3 and python3.
set -eu
build=${1:-build}
rounds=${2:-5}
duration=5
length=128k
port_plugin=25301
port_iperf3=25302

command -v iperf3 > /dev/null || { echo "iperf3 is not installed (apt-get install iperf3)" >&2; exit 2; }
command -v python3 > /dev/null || { echo "python3 is needed to read iperf3's JSON" >&2; exit 2; }
load=${LOAD:-0}
case $load in '' | *[!0-9]*) echo "LOAD must be a number of busy loops (0, 1, 2...), not '$load'" >&2; exit 2 ;; esac
tmp=$(mktemp -d)
srv=
spin=()
trap '[ -n "$srv" ] && kill "$srv" 2> /dev/null; [ ${#spin[@]} -gt 0 ] && kill "${spin[@]}" 2> /dev/null; rm -rf "$tmp"' EXIT

if [ -x "$build/bin/benchaas" ]; then
    plugin() {
        "$build/bin/benchaas" run iperf -p duration=$duration -p length=$length -p streams="$1" \
            -p port=$port_plugin --repetitions 1 --db "$tmp/bench.db" --json 2> /dev/null |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["runs"][0]["metrics"]["throughput"]["value"])'
    }
    how="benchaas run"
elif [ -x "$build/bin/iperf_host" ]; then
    plugin() {
        "$build/bin/iperf_host" duration=$duration length=$length streams="$1" port=$port_plugin |
            awk '$1 == "metric" && $2 == "throughput" { print $3 }'
    }
    how="iperf_host (mock host)"
else
    echo "no $build/bin/benchaas or $build/bin/iperf_host: build first, or pass the build folder" >&2
    exit 2
fi

iperf3 -s -p $port_iperf3 > /dev/null 2>&1 &
srv=$!
sleep 0.5
ref() {
    iperf3 -c 127.0.0.1 -p $port_iperf3 -t $duration -l $length -P "$1" -J |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9)'
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$load"); do
    bash -c 'while :; do :; done' &
    spin+=("$!")
done
[ "$load" -gt 0 ] && echo "$load busy loop(s) running beside both tools"

echo "plugin via $how; iperf3 $(iperf3 --version | head -1 | awk '{print $2}'); ${duration} s, $length, $rounds rounds"
for r in $(seq "$rounds"); do
    for s in 1 2; do
        # A B B A: both tools' mean sits at the middle of the round, so load that rises or
        # falls steadily over the round weighs on both alike
        if [ $(((r + s) % 2)) = 0 ]; then
            p1=$(plugin "$s"); i1=$(ref "$s"); i2=$(ref "$s"); p2=$(plugin "$s")
        else
            i1=$(ref "$s"); p1=$(plugin "$s"); p2=$(plugin "$s"); i2=$(ref "$s")
        fi
        p=$(echo "$p1 $p2" | awk '{printf "%.4f", ($1 + $2) / 2}')
        i=$(echo "$i1 $i2" | awk '{printf "%.4f", ($1 + $2) / 2}')
        echo "$s $p $i" >> "$tmp/runs"
        printf 'round %d  streams %d  plugin %7.2f (%.2f %.2f)  iperf3 %7.2f (%.2f %.2f) Gbit/s  (load %s)\n' \
            "$r" "$s" "$p" "$p1" "$p2" "$i" "$i1" "$i2" "$(cut -d' ' -f1 /proc/loadavg)"
    done
done

python3 - "$tmp/runs" << 'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for s in ("1", "2"):
    p = statistics.median(float(r[1]) for r in rows if r[0] == s)
    i = statistics.median(float(r[2]) for r in rows if r[0] == s)
    ps = [float(r[1]) for r in rows if r[0] == s]
    xs = [float(r[2]) for r in rows if r[0] == s]
    wins = sum(1 for r in rows if r[0] == s and float(r[1]) >= float(r[2]))
    print(f"streams {s}: median plugin {p:.2f} Gbit/s ({min(ps):.2f}-{max(ps):.2f}), "
          f"iperf3 {i:.2f} Gbit/s ({min(xs):.2f}-{max(xs):.2f}), ratio of medians {p / i:.2f}, "
          f"plugin >= iperf3 in {wins} of {len(ps)} rounds")
EOF
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
