# bx_sample, bx_metric, bx_meta and bx_log from several threads at once (8
# pthreads inside run(), then an OpenMP parallel region) in the worker: every
# sample is stored.
. "$TEST_LIB" || exit 1
export BENCHAAS_PLUGIN_PATH="$SDK_TEST_PLUGINS/trap"
expect_rc 0 bx run trap -p mode=threads -p threads=8 -p per_thread=5000 --repetitions 2 --db t.db
eq "$(sql t.db "SELECT status FROM runs")" ok "status"
eq "$(sql t.db "SELECT count(*) FROM samples WHERE metric='s'")" 80000 "samples of 8 threads x 5000 x 2 repetitions"
eq "$(sql t.db "SELECT count(*) FROM samples WHERE metric='s' AND rep=2")" 40000 "samples of repetition 2"
eq "$(sql t.db "SELECT count(*) FROM run_meta WHERE key LIKE 'thread%' AND value='done'")" 8 "meta from every thread"
bx run trap -p mode=omp -p threads=1 -p per_thread=1 --repetitions 1 --db probe.db >/dev/null 2>&1 ||
    { sql probe.db "SELECT error FROM runs" | grep -q "without OpenMP" && exit 0; }
expect_rc 0 bx run trap -p mode=omp -p threads=8 -p per_thread=5000 --repetitions 2 --db o.db
eq "$(sql o.db "SELECT status FROM runs")" ok "status (OpenMP)"
eq "$(sql o.db "SELECT count(*) FROM samples WHERE metric='s'")" 80000 "samples of 8 OpenMP threads"
exit 0
