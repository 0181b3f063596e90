-- Shared by the suite's wrk scripts: after the run, one line
--   JSON {"requests":…,"duration_us":…,"rps":…,"non2xx":…,"errors":…,"p50_ms":…,"p99_ms":…,"max_ms":…}
-- on stdout, which bench/run.sh reads instead of wrk's text report.
-- Latency is wrk's: from sending a request to its response, per connection
-- (closed loop), so it is not comparable to `cargomon simulate`'s, which
-- counts from each order's scheduled time.
function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'JSON {"requests":%d,"duration_us":%d,"rps":%.1f,"non2xx":%d,"errors":%d,' ..
    '"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}\n',
    summary.requests, summary.duration, summary.requests / seconds, e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
