-- Task lists and search read each readable team on its own (PgTaskRepository::list, PgSearch),
-- walking a (team_id, order) index and stopping at the rows they need, or a (team_id, search)
-- full-text index when few rows match: per team, PostgreSQL picks the cheaper. The indexes over
-- every team's rows are no longer read by any statement and are dropped (comments_team is a
-- prefix of comments_team_created). btree_gin is a trusted extension: the database's owner
-- may create it.
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX tasks_team_due_first ON tasks (team_id, (COALESCE(due_date, 'infinity'::timestamptz)), id);
CREATE INDEX tasks_team_due_last ON tasks (team_id, (COALESCE(due_date, '-infinity'::timestamptz)), id);
CREATE INDEX tasks_team_search ON tasks USING gin (team_id, search);
CREATE INDEX comments_team_created ON comments (team_id, created_at DESC, id DESC);
CREATE INDEX comments_team_search ON comments USING gin (team_id, search);
DROP INDEX tasks_created, tasks_updated, tasks_priority, tasks_due_first, tasks_due_last,
    tasks_search, comments_team, comments_search;
