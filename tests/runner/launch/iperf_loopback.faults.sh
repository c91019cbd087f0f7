# The network plugin's server listens on the loopback address unless told
# otherwise: `run iperf -p mode=server` (and the default loopback self-test)
# is not reachable from other hosts.  Checked with ss while the run listens.
. "$TEST_LIB" || exit 1
command -v ss >/dev/null || skip "no ss (iproute2)"
bx describe iperf >/dev/null 2>&1 || skip "the iperf plugin is not built"
free_port() {
    local p
    for _ in $(seq 50); do
        p=$(( 20000 + RANDOM % 20000 ))
        ss -Htan "sport = :$p" | grep -q . || { echo $p; return; }
    done
    echo 0
}
listeners() { ss -Hltn "sport = :$1" | awk '{print $4}'; }
for mode in server loopback; do
    port=$(free_port)
    [ "$port" != 0 ] || skip "no free port found"
    "$BENCHAAS" run iperf -p mode=$mode -p port=$port -p duration=2 -p tests=0 --db "$TMP/i.db" \
        >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    for _ in $(seq 100); do [ -n "$(listeners $port)" ] && break; sleep 0.05; done
    got=$(listeners $port | sort -u | tr '\n' ' ')
    wait $pid
    [ -n "$got" ] || { cat "$TMP/err"; fail "$mode: nothing listened on port $port"; }
    for a in $got; do
        case "$a" in
            127.0.0.1:$port|"[::1]:$port") ;;
            *) fail "$mode: the server listens on $a, not only on the loopback address" ;;
        esac
    done
done
exit 0
