-- bench/wrk_latency.lua: one parseable line at the end of a wrk run (bench/wrk_lib.sh):
-- BXWRK req/s p50 p99 p99.9 (ms) socket-errors non-2xx
done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("BXWRK %.1f %.3f %.3f %.3f %d %d\n",
        summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        latency:percentile(99.9) / 1000,
        e.connect + e.read + e.write + e.timeout, e.status))
end
