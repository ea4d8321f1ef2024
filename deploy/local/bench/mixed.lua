-- The mixed load, chosen per request: 50% cached GET of one task (BENCH_TASK), 20% the list
-- page of 20 of the bench team, 20% create in that team, 10% PATCH of the same one task
-- (status, without If-Match).
local common = require("common")
common.count_statuses()

local task = os.getenv("BENCH_TASK") or ""
local states = { "in_progress", "in_review", "done", "backlog", "todo" }
local patched = 0
local get, list

function init()
  math.randomseed(os.time() + (id or 0) * 7919)
  get = wrk.format("GET", "/api/tasks/" .. task, common.headers(false))
  list = wrk.format("GET", "/api/tasks?teamId=" .. common.team .. "&limit=20", common.headers(false))
end

function request()
  local r = math.random(100)
  if r <= 50 then
    return get
  elseif r <= 70 then
    return list
  elseif r <= 90 then
    return wrk.format("POST", "/api/tasks", common.headers(true), common.create_body())
  end
  patched = patched + 1
  local body = string.format('{"status":"%s"}', states[patched % #states + 1])
  return wrk.format("PATCH", "/api/tasks/" .. task, common.headers(true), body)
end
