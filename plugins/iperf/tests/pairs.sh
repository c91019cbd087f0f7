#!/bin/bash
# pairs.sh IPERF_HOST MPIEXEC — mode=pairs under mpirun with 2 and 4 ranks,
# and a setup failure that must fail every rank (no hang).
set -u
. "$(dirname "$0")/common.sh"
host=$1 mpiexec=$2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { "$mpiexec" --oversubscribe -np "$1" "${@:2}"; }

for np in 2 4; do
    run "$np" "$host" mode=pairs duration=1 interval=0.5 > "$tmp/p$np" 2>&1 ||
        fail "$np ranks: $(cat "$tmp/p$np")"
    pairs=$((np / 2))
    grep -q "^samples pair_throughput $pairs\$" "$tmp/p$np" || fail "$np ranks: $(cat "$tmp/p$np")"
    total=$(value "$tmp/p$np" throughput)
    slowest=$(value "$tmp/p$np" pair_throughput)
    gt "$slowest" 0.01 || fail "$np ranks: slowest pair $slowest"
    # the aggregate is the sum of the pairs
    sum=$(awk '$1 == "sample" && $2 == "pair_throughput" { s += $3 } END { print s }' "$tmp/p$np")
    awk -v a="$total" -v b="$sum" 'BEGIN { exit !(a > 0.999 * b && a < 1.001 * b) }' ||
        fail "$np ranks: throughput $total is not the sum of the pairs $sum"
    [ "$(grep -c '^meta pair' "$tmp/p$np")" = "$pairs" ] || fail "$np ranks: pair metadata"
done

run 2 "$host" mode=pairs duration=1 protocol=udp rate=10m > "$tmp/udp" 2>&1 ||
    fail "UDP pairs: $(cat "$tmp/udp")"
t=$(value "$tmp/udp" throughput)
gt "$t" 0.007 && gt 0.0105 "$t" || fail "UDP pairs at 10 Mbit/s: $t"

timeout 60 "$mpiexec" --oversubscribe -np 2 "$host" mode=pairs duration=1 interface=nosuch0 \
    > "$tmp/bad" 2>&1 && fail "a missing interface did not fail"
grep -q "error pairs setup failed on rank 1.*nosuch0" "$tmp/bad" || fail "bad interface: $(cat "$tmp/bad")"
echo "pairs: ok"
