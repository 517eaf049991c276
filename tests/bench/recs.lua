-- wrk script for tests/bench/recs_bench.sh: GET $RECS_PATH with a bearer token that rotates
-- over the residents (one per line in $RECS_TOKENS).
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end

function init(args)
  tokens = {}
  for line in io.lines(os.getenv("RECS_TOKENS")) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  path = os.getenv("RECS_PATH")
  n = tid * 7919
end

function request()
  n = n + 1
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. tokens[(n % #tokens) + 1] })
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f rps=%.0f\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests / (summary.duration / 1e6)))
end
