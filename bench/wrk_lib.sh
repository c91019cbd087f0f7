# bench/wrk_lib.sh — shared by bench/serve.sh, bench/pages.sh and bench/wrk_ab.sh (sourced):
# wrk with p50/p99/p99.9 (bench/wrk_latency.lua), nginx serving saved answers as static
# files, and medians with their spread over alternated rounds.

# wrk_run CONNS DURATION URL [HEADER]: one wrk run; sets W_RPS W_P50 W_P99 W_P999 (ms),
# W_ERR (socket errors) and W_NON2XX.
wrk_run() {
    local conns=$1 dur=$2 url=$3 out
    if [[ $# -gt 3 ]]; then
        out=$(wrk -t2 -c"$conns" -d"$dur" -s "$root/bench/wrk_latency.lua" -H "$4" "$url")
    else
        out=$(wrk -t2 -c"$conns" -d"$dur" -s "$root/bench/wrk_latency.lua" "$url")
    fi
    read -r W_RPS W_P50 W_P99 W_P999 W_ERR W_NON2XX < <(awk '$1 == "BXWRK" {print $2, $3, $4, $5, $6, $7}' <<<"$out")
}

# nginx_start DIR PORT_VAR: nginx (2 workers, no access log) serving DIR/www on a free port,
# stopped by the caller's cleanup (its pid is appended to the array pids).
nginx_start() {
    local dir=$1
    mkdir -p "$dir/nginx"
    NGINX_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    cat >"$dir/nginx/nginx.conf" <<NGX
worker_processes 2;
daemon off;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    default_type application/json;
    client_body_temp_path $dir/nginx;
    proxy_temp_path $dir/nginx;
    fastcgi_temp_path $dir/nginx;
    uwsgi_temp_path $dir/nginx;
    scgi_temp_path $dir/nginx;
    server { listen 127.0.0.1:$NGINX_PORT; root $dir/www; }
}
NGX
    nginx -c "$dir/nginx/nginx.conf" -p "$dir/nginx" &
    pids+=($!)
    local i
    for i in $(seq 50); do
        curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT/" -r 0-0 2>/dev/null && break
        [[ -f "$dir/nginx/nginx.pid" ]] && break
        sleep 0.1
    done
    sleep 0.3
}

# stats "v1 v2 ...": "median (min-max)"
stats() {
    tr ' ' '\n' <<<"$1" | awk 'NF' | sort -g | awk '{v[NR] = $1} END {
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.4g (%.4g-%.4g)", m, v[1], v[NR] }'
}
# median "v1 v2 ...": the median alone
median() { stats "$1" | awk '{print $1}'; }

loadavg() { cut -d' ' -f1 /proc/loadavg; }
