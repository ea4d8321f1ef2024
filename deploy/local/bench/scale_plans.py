#!/usr/bin/env python3
"""`just bench-scale`: EXPLAIN (ANALYZE, BUFFERS) of each list shape on the big database, as
markdown. The statements reproduce PgTaskRepository::list's (crates/adapter-sql/src/tasks.rs)
with the binds written in; run through psql as the seeded admin of the biggest team.

    BIG_URL=postgres://... email=... team=... rare=... scale_plans.py TASKS
"""
import os
import subprocess
import sys
from datetime import datetime, timezone

url, email, team, rare = (os.environ[k] for k in ("BIG_URL", "email", "team", "rare"))


def psql(sql):
    return subprocess.run(["psql", url, "-qAtc", sql], check=True, capture_output=True, text=True).stdout


user = psql(f"SELECT id FROM users WHERE email = '{email}'").strip()
columns = ("t.id, t.team_id, t.title, t.status, t.priority, t.assignee_id, t.creator_id, t.due_date, "
           "t.tags, t.description, t.custom_fields, t.attachments, t.version, t.created_at, t.updated_at")
visible = (f"t.team_id IN (SELECT m.team_id FROM team_memberships m JOIN role_permissions p "
           f"ON p.team_id = m.team_id AND p.role = m.role "
           f"WHERE m.user_id = '{user}' AND 'task.read' = ANY (p.permissions))")
sorts = {
    "created": ("t.created_at", "t.created_at", "NULL::smallint"),
    "updated": ("t.updated_at", "t.updated_at", "NULL::smallint"),
    "due": ("COALESCE(t.due_date, 'infinity'::timestamptz)", "t.due_date", "NULL::smallint"),
    "-due": ("COALESCE(t.due_date, '-infinity'::timestamptz)", "t.due_date", "NULL::smallint"),
    "priority": ("t.priority", "NULL::timestamptz", "t.priority"),
}


def statement(where="", sort="-created"):
    desc = sort.startswith("-")
    expr, time, rank = sorts.get(sort, sorts.get(sort.lstrip("-")))
    order = "DESC" if desc else "ASC"
    return (f"SELECT {columns}, {time} AS sort_time, {rank} AS sort_rank FROM tasks t WHERE {visible}"
            f"{where} ORDER BY {expr} {order}, t.id {order} LIMIT 21")


now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
text = (f" AND (t.search @@ websearch_to_tsquery('simple', '{rare}') OR EXISTS (SELECT 1 FROM comments c "
        f"WHERE c.task_id = t.id AND c.search @@ websearch_to_tsquery('simple', '{rare}')))")
shapes = [
    ("every team, newest first", statement()),
    ("one team", statement(f" AND t.team_id = '{team}'")),
    ("status", statement(" AND t.status = ANY ('{in_review}')")),
    ("one team and status", statement(f" AND t.team_id = '{team}' AND t.status = ANY ('{{in_review}}')")),
    ("priority", statement(" AND t.priority = ANY ('{3}')")),
    ("assigneeId=me", statement(f" AND t.assignee_id = '{user}'")),
    ("tag", statement(" AND t.tags @> '{seo}'")),
    ("due range (7 days)", statement(
        f" AND t.due_date < '{now}'::timestamptz + interval '7 days' AND t.due_date > '{now}'")),
    (f"q={rare} (rare word)", statement(text)),
    ("sort=due", statement(sort="due")),
    ("sort=-due", statement(sort="-due")),
    ("sort=priority", statement(sort="priority")),
    ("sort=-updated", statement(sort="-updated")),
]
print(f"# Task list plans at {int(sys.argv[1]):,} tasks\n")
print("`EXPLAIN (ANALYZE, BUFFERS)` of each shape of `GET /api/tasks`, written by `just bench-scale`"
      " (deploy/local/bench/scale_plans.py) on the seeded big database after `VACUUM ANALYZE`, as the"
      " seeded admin of the biggest team. The statements reproduce `PgTaskRepository::list`'s with"
      f" the binds written in, run through psql. {now}.\n")
for title, sql in shapes:
    plan = psql(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
    print(f"## {title}\n\n```\n{plan.rstrip()}\n```\n")
