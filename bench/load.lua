-- wrk script for bench/load.sh: sends the requests listed in the file named
-- by BENCH_REQUESTS (one per line: METHOD<TAB>PATH[<TAB>JSON BODY]), each
-- thread from its own starting point, with the Authorization and Cookie
-- headers given in BENCH_AUTH and BENCH_COOKIE.
local list = {}
for line in io.lines(os.getenv("BENCH_REQUESTS")) do
  local method, path, body = line:match("^(%S+)\t([^\t]+)\t?(.*)$")
  if method then
    list[#list + 1] = { method = method, path = path, body = body ~= "" and body or nil }
  end
end

local headers = {}
if os.getenv("BENCH_AUTH") then headers["Authorization"] = os.getenv("BENCH_AUTH") end
if os.getenv("BENCH_COOKIE") then headers["Cookie"] = os.getenv("BENCH_COOKIE") end
headers["Sec-Fetch-Site"] = "same-origin"

local next_index = 1
failures = 0
local threads = {}
function setup(thread)
  thread:set("id", math.random(1, #list))
  threads[#threads + 1] = thread
end

function init(args)
  next_index = (id or 1)
end

function request()
  local r = list[next_index]
  next_index = next_index % #list + 1
  local h = {}
  for k, v in pairs(headers) do h[k] = v end
  if r.body then h["Content-Type"] = "application/json" end
  return wrk.format(r.method, r.path, h, r.body)
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
