CREATE INDEX tasks_created ON tasks (created_at DESC, id DESC);
CREATE INDEX tasks_updated ON tasks (updated_at DESC, id DESC);
CREATE INDEX tasks_priority ON tasks (priority, id);
CREATE INDEX tasks_due_first ON tasks ((COALESCE(due_date, 'infinity'::timestamptz)), id);
CREATE INDEX tasks_due_last ON tasks ((COALESCE(due_date, '-infinity'::timestamptz)), id);
CREATE INDEX tasks_search ON tasks USING gin (search);
CREATE INDEX comments_team ON comments (team_id);
CREATE INDEX comments_search ON comments USING gin (search);
DROP INDEX tasks_team_due_first, tasks_team_due_last, tasks_team_search, comments_team_created,
    comments_team_search;
DROP EXTENSION IF EXISTS btree_gin;
