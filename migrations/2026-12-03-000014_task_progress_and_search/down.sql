DROP INDEX tasks_team_completed;
ALTER TABLE tasks DROP COLUMN started_at, DROP COLUMN completed_at;
UPDATE tasks SET search = to_tsvector('simple', title || ' ' || description || ' ' || array_to_string(tags, ' '));
UPDATE comments SET search = to_tsvector('simple', content);
DROP FUNCTION search_document(text);
