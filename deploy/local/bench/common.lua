-- Shared by the bench's wrk scripts (deploy/local/bench.sh sets LUA_PATH to this directory and
-- the BENCH_* variables). Gives each thread an id, counts response statuses when asked, and ends
-- every run with one machine-readable line:
--   BENCH requests=N seconds=S rps=R p50_us=A p99_us=B non2xx=C socket_errors=D statuses=201:N,409:M
local common = {}

common.token = os.getenv("BENCH_TOKEN") or ""
common.team = os.getenv("BENCH_TEAM") or ""
wrk.headers["authorization"] = "Bearer " .. common.token

-- Headers for requests built in `request` or `init` (wrk sets the Host header only when its own
-- `init` runs, after the script has loaded): Host and authorization, plus content-type if `json`.
local built = {}
function common.headers(json)
  local key = json and "json" or "plain"
  if not built[key] then
    built[key] = { Host = wrk.headers["Host"], authorization = wrk.headers["authorization"] }
    if json then built[key]["content-type"] = "application/json" end
  end
  return built[key]
end

local threads = {}

-- Runs in the main state, once per thread, before the thread's `init`.
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

-- Counts every response by status (costs wrk a little: only the write and mixed scripts ask).
function common.count_statuses()
  statuses = {}
  response = function(status)
    statuses[status] = (statuses[status] or 0) + 1
  end
end

-- A create body for the bench team; titles numbered per thread.
local created = 0
function common.create_body()
  created = created + 1
  return string.format('{"teamId":"%s","title":"bench %d-%d","tags":["t%d"]}',
    common.team, id or 0, created, created % 5)
end

-- `ids` split on commas.
function common.split(ids)
  local out = {}
  for item in string.gmatch(ids or "", "[^,]+") do table.insert(out, item) end
  return out
end

function done(summary, latency)
  local counted = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      counted[status] = (counted[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counted) do table.insert(parts, status .. ":" .. n) end
  table.sort(parts)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "BENCH requests=%d seconds=%.3f rps=%.1f p50_us=%d p99_us=%d non2xx=%d socket_errors=%d statuses=%s\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout, table.concat(parts, ",")))
end

return common
