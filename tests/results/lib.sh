# tests/results/lib.sh — helpers for the result tests (tests/LIBRARY/FILE/CASE.results.sh),
# sourced after tests/lib.sh.
#
# They fabricate result documents (docs/formats.md) with controlled values
# and ingest them with `benchaas collect`, so a test knows exactly what a
# query, comparison or check must answer.  The "noise" comes from a
# Park–Miller generator with a fixed seed, the same in every awk.

# series DB PREFIX COUNT FIRST_EPOCH STEP_S HOST PARAMS_JSON METRIC UNIT BETTER MEDIAN NOISE REPS [SEED] [TAGS_JSON] [CPU] [STATUS]
#   COUNT runs of one configuration, started FIRST_EPOCH, +STEP_S, ...; each
#   with REPS samples of METRIC around MEDIAN (uniform +-NOISE, relative),
#   the metric's value being the best repetition (higher) or the median.
series() {
    local db=$1 prefix=$2 count=$3 t0=$4 step=$5 host=$6 params=$7 metric=$8 unit=$9
    local better=${10} median=${11} noise=${12} reps=${13} seed=${14:-1} tags=${15:-[]}
    local cpu=${16:-Test CPU 9000} status=${17:-ok}
    mkdir -p "$db.spool"
    awk -v prefix="$prefix" -v count="$count" -v t0="$t0" -v step="$step" -v host="$host" \
        -v params="$params" -v metric="$metric" -v unit="$unit" -v better="$better" \
        -v median="$median" -v noise="$noise" -v reps="$reps" -v seed="$seed" -v tags="$tags" \
        -v cpu="$cpu" -v status="$status" -v dir="$db.spool" '
    # epoch seconds -> ISO 8601 UTC (civil-from-days; mawk may lack strftime)
    function iso(t,   d, s, z, era, doe, yoe, y, doy, mp, dd, m) {
        d = int(t / 86400); s = t - d * 86400
        z = d + 719468; era = int(z / 146097); doe = z - era * 146097
        yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
        y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
        mp = int((5 * doy + 2) / 153); dd = doy - int((153 * mp + 2) / 5) + 1
        m = mp < 10 ? mp + 3 : mp - 9; if (m <= 2) y++
        return sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, dd, int(s / 3600), int(s % 3600 / 60), s % 60)
    }
    function rnd() { state = (state * 16807) % 2147483647; return state / 2147483647 }
    BEGIN {
        state = seed * 7919 + 1
        for (i = 0; i < count; i++) {
            best = ""; samples = ""
            for (r = 1; r <= reps; r++) {
                v = median * (1 + noise * (2 * rnd() - 1))
                samples = samples (r > 1 ? "," : "") "[" r ",0," sprintf("%.6f", v) "]"
                if (best == "" || (better == "higher" && v > best) || (better == "lower" && v < best)) best = v
            }
            value = (better == "none") ? median : best
            t = t0 + i * step
            f = dir "/" prefix "-" i ".result.json"
            printf "{\"result_version\":1,\"uuid\":\"%s-%d\",\"plugin\":\"%s\",", prefix, i, \
                   (metric == "gflops" ? "hpl" : metric == "triad" ? "stream" : "synth") > f
            printf "\"plugin_version\":\"1.0.0\",\"experiment\":\"x\",\"point\":0," > f
            printf "\"status\":\"%s\",\"error\":%s,", status, \
                   (status == "ok" ? "null" : "\"residual too large\"") > f
            printf "\"started_at\":\"%s\",\"finished_at\":\"%s\",\"host\":\"%s\",", iso(t), iso(t + 30), host > f
            printf "\"launcher\":\"local\",\"ranks\":1,\"threads\":1,\"repetitions\":%d,\"tags\":%s,", reps, tags > f
            printf "\"params\":%s,", params > f
            printf "\"metrics\":{\"%s\":{\"value\":%.6f,\"unit\":\"%s\",\"better\":\"%s\"},", metric, value, unit, better > f
            printf "\"wall_time\":{\"value\":%.3f,\"unit\":\"s\",\"better\":\"none\"}},", 30 + rnd(), "" > f
            printf "\"samples\":{\"%s\":[%s]},", metric, samples > f
            printf "\"timeline\":[[0,10,null],[0.25,%.1f,95.5],[0.5,%.1f,99.1],[0.75,%.1f,50]]," , 100 + i, 300 + i, 120 > f
            printf "\"provenance\":{\"hostname\":\"%s\",\"cpu_model\":\"%s\",\"kernel\":\"6.1.0-%d\",\"compiler\":\"gcc 12.2\"}}\n", host, cpu, (i < count / 2 ? 18 : 25) > f
            close(f)
        }
    }'
}

# ingest DB: store every document fabricated so far.
ingest() {
    "$BENCHAAS" collect --db "$1" >"$TMP/collect.out" 2>&1 || { cat "$TMP/collect.out"; fail "collect failed"; }
}

# A date N days before 2026-11-21 (the fixed "now" of the fabricated histories), as epoch seconds.
T0=1795219200
day() { echo $((T0 - $1 * 86400)); }

# doc DB UUID STARTED HOST PARAMS_JSON METRIC VALUE SAMPLES [STATUS] [TAGS_JSON] [EXTRA]
#   one document with exact values: SAMPLES is "v1 v2 ..." (one per repetition,
#   may be empty), STATUS defaults to ok, EXTRA is more JSON members
#   (',"job_id":"4242"').  The metric is higher-is-better unless it is
#   "time" (lower, plugin synth as in series) or "echo" (none); "wall_time" is
#   always added (none).  The plugin is hpl (stream for "triad").
doc() {
    local db=$1 uuid=$2 started=$3 host=$4 params=$5 metric=$6 value=$7 samples=$8
    local status=${9:-ok} tags=${10:-[]} extra=${11:-}
    local better=higher unit=GFLOP/s plugin=hpl
    case $metric in
        time) better=lower unit=s plugin=synth ;;
        echo) better=none unit= ;;
        triad) unit=MB/s plugin=stream ;;
    esac
    local s="" r=1 v
    for v in $samples; do
        s="$s${s:+,}[$r,0,$v]"
        r=$((r + 1))
    done
    local err=null
    [ "$status" = ok ] || err='"residual too large"'
    mkdir -p "$db.spool"
    cat >"$db.spool/$uuid.result.json" <<DOC
{"result_version":1,"uuid":"$uuid","plugin":"$plugin","plugin_version":"1.0.0","status":"$status",
 "error":$err,"started_at":"$started","host":"$host","ranks":1,"threads":1,"repetitions":$((r - 1)),
 "tags":$tags,"params":$params,
 "metrics":{"$metric":{"value":$value,"unit":"$unit","better":"$better"},
            "wall_time":{"value":1.5,"unit":"s","better":"none"}},
 "samples":{"$metric":[$s]},
 "provenance":{"hostname":"$host","cpu_model":"CPU-$host","kernel":"6.1.0-${started:5:2}"}$extra}
DOC
}

# p NAME VALUE [TYPE]: a params JSON object with one int parameter (or TYPE).
p() { printf '{"%s":{"value":"%s","type":"%s"}}' "$1" "$2" "${3:-int}"; }

# ior_docs DB: IOR-like runs for the report's chart choices: the first declared
#   metric (write_open_time) is not a headline, write_bw is ("headline": true);
#   api = posix / mpiio (categorical) x block_size = 1k, 32k, 1M (three decades);
#   three runs each, on three days.
ior_docs() {
    local db=$1 i=0 api block r
    mkdir -p "$db.spool"
    for api in posix mpiio; do
        for block in 1024 32768 1048576; do
            for r in 1 2 3; do
                i=$((i + 1))
                cat >"$db.spool/ior$i.result.json" <<DOC
{"result_version":1,"uuid":"ior$i","plugin":"ior","plugin_version":"1.0.0","status":"ok","error":null,
 "started_at":"2026-11-0${r}T10:$((10 + i)):00Z","host":"n1","ranks":1,"threads":1,"repetitions":1,"tags":[],
 "params":{"api":{"value":"$api","type":"enum"},"block_size":{"value":"$block","type":"size"}},
 "metrics":{"write_open_time":{"value":0.0$r,"unit":"s","better":"lower"},
            "write_bw":{"value":$((block / 1024 + r)),"unit":"MiB/s","better":"higher","headline":true},
            "verified":{"value":1,"unit":"","better":"none"},
            "wall_time":{"value":3,"unit":"s","better":"none"}},
 "samples":{},"provenance":{"hostname":"n1"}}
DOC
            done
        done
    done
}
