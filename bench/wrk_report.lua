-- wrk script for bench/run_all.py (throughput part).
--
--   wrk -t2 -c16 -d10s --latency -s bench/wrk_report.lua -H "Cookie: sessionid=…" URL -- 'MARKER'
--
-- Every answer is checked: a status outside 2xx counts as "non2xx"; a 2xx body
-- without MARKER (a plain substring, e.g. 'id="timeline"') counts as
-- "unexpected" (a loading frame instead of the page, a login page, …).
-- done() prints one line, "WRK_JSON {…}", with the counts and the latency
-- percentiles in microseconds, for run_all.py to parse.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   -- Globals: done() reads them from each thread with thread:get().
   marker = args[1] or ""
   non2xx = 0
   unexpected = 0
   checked = 0
end

function response(status, headers, body)
   checked = checked + 1
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
   elseif marker ~= "" and (body == nil or not string.find(body, marker, 1, true)) then
      unexpected = unexpected + 1
   end
end

function done(summary, latency, requests)
   local bad, odd, seen = 0, 0, 0
   for _, t in ipairs(threads) do
      bad = bad + (t:get("non2xx") or 0)
      odd = odd + (t:get("unexpected") or 0)
      seen = seen + (t:get("checked") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "checked": %d, ' ..
      '"non2xx": %d, "unexpected": %d, "errors_connect": %d, "errors_read": %d, ' ..
      '"errors_write": %d, "errors_status": %d, "errors_timeout": %d, ' ..
      '"latency_mean_us": %.1f, "latency_max_us": %d, "p50_us": %d, "p90_us": %d, ' ..
      '"p95_us": %d, "p99_us": %d}\n',
      summary.requests, summary.duration, summary.bytes, seen,
      bad, odd, e.connect, e.read, e.write, e.status, e.timeout,
      latency.mean, latency.max, latency:percentile(50), latency:percentile(90),
      latency:percentile(95), latency:percentile(99)))
end
