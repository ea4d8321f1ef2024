-- PATCH /api/tasks/{id} {"status": ...} without If-Match, over the tasks in BENCH_TASKS
-- (comma-separated: one id for one hot task, several for spread writes), each thread starting
-- at its own offset, the status cycling so that each PATCH changes something.
local common = require("common")
common.count_statuses()

local tasks = common.split(os.getenv("BENCH_TASKS"))
local states = { "in_progress", "in_review", "done", "backlog", "todo" }
local n = 0

function request()
  n = n + 1
  local task = tasks[(n + (id or 0) * 7) % #tasks + 1]
  local body = string.format('{"status":"%s"}', states[n % #states + 1])
  return wrk.format("PATCH", "/api/tasks/" .. task, common.headers(true), body)
end
