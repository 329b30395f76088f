-- wrk script: POST the retry endpoint with the request headers in $HEADERS (one
-- "Name: value" a line; default Accept: application/json) and print the results as one
-- JSON line that bench/throughput.py reads.
wrk.method = "POST"
wrk.body = ""  -- makes wrk send Content-Length: 0, as browsers do
for line in (os.getenv("HEADERS") or "Accept: application/json"):gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '\nRESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
