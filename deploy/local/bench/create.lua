-- POST of a task-creating JSON body (BENCH_TEAM: every create goes to that one team) to the
-- URL's path: TaskForge's POST /api/tasks, or the write ceiling's POST /write.
local common = require("common")
common.count_statuses()

function request()
  return wrk.format("POST", wrk.path, common.headers(true), common.create_body())
end
