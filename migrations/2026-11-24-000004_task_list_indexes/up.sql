-- Lists across all of a caller's teams walk one of these in order and stop after a page,
-- instead of sorting every task of those teams (ADR 29 later made them per team).
CREATE INDEX tasks_created ON tasks (created_at DESC, id DESC);
CREATE INDEX tasks_updated ON tasks (updated_at DESC, id DESC);
CREATE INDEX tasks_priority ON tasks (priority, id);
CREATE INDEX tasks_due_first ON tasks ((COALESCE(due_date, 'infinity'::timestamptz)), id);
CREATE INDEX tasks_due_last ON tasks ((COALESCE(due_date, '-infinity'::timestamptz)), id);
