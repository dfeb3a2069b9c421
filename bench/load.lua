-- wrk script for bench/load.sh: sends the requests listed in the file named
-- by BENCH_REQUESTS, one a line: METHOD<TAB>PATH<TAB>auth=VALUE or
-- cookie=VALUE<TAB>JSON BODY (may be empty); each thread starts at its own
-- point of the list.
local parsed, list = {}, {}
for line in io.lines(os.getenv("BENCH_REQUESTS")) do
  local method, path, who, body = line:match("^(%S+)\t([^\t]+)\t([^\t]*)\t?(.*)$")
  if method then
    local h = { ["Sec-Fetch-Site"] = "same-origin" }
    local kind, value = who:match("^(%a+)=(.*)$")
    if kind == "auth" then h["Authorization"] = value end
    if kind == "cookie" then h["Cookie"] = value end
    if body ~= "" then h["Content-Type"] = "application/json" end
    parsed[#parsed + 1] = { method, path, h, body ~= "" and body or nil }
  end
end

local next_index = 1
failures = 0
local threads = {}
function setup(thread)
  thread:set("id", math.random(1, #parsed))
  threads[#threads + 1] = thread
end

-- Requests are formatted once a thread knows its host.
function init(args)
  for i, r in ipairs(parsed) do list[i] = wrk.format(r[1], r[2], r[3], r[4]) end
  next_index = (id or 1)
end

function request()
  local r = list[next_index]
  next_index = next_index % #list + 1
  return r
end

function response(status, hdrs, body)
  if status >= 500 then failures = failures + 1 end
end

function done(summary, latency, requests)
  local server_errors = 0
  for _, t in ipairs(threads) do server_errors = server_errors + t:get("failures") end
  io.write(string.format("RESULT requests=%d seconds=%.3f p50_ms=%.2f p99_ms=%.2f errors=%d server_errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status,
    server_errors))
end
