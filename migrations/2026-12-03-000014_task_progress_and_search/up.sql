-- When a task first moved to in_progress and when it was last done: what dashboards count
-- per day and measure cycle times by, kept by every task write in the same transaction.
ALTER TABLE tasks
    ADD COLUMN started_at   timestamptz,
    ADD COLUMN completed_at timestamptz;

-- Existing tasks: from their audit rows (the first in_progress; the last change to done).
UPDATE tasks t SET
    started_at = (SELECT min(a.at) FROM audit_log a
                  WHERE a.entity_type = 'task' AND a.entity_id = t.id
                    AND a.new_state ->> 'status' = 'in_progress'),
    completed_at = CASE WHEN t.status = 'done' THEN
        COALESCE((SELECT max(a.at) FROM audit_log a
                  WHERE a.entity_type = 'task' AND a.entity_id = t.id
                    AND a.new_state ->> 'status' = 'done'), t.updated_at) END;

CREATE INDEX tasks_team_completed ON tasks (team_id, completed_at) WHERE completed_at IS NOT NULL;

-- A search document: the parser's tokens (`quarterly-blueprint.pdf` is one) and every run of
-- letters and digits on its own (`quarterly`, `blueprint`, `pdf`), which is how /api/search
-- splits what is typed.
CREATE FUNCTION search_document(body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_tsvector('simple', body)
        || to_tsvector('simple', regexp_replace(body, '[^[:alnum:]]+', ' ', 'g'))
$$;

-- A task's also holds the names of its files.
UPDATE tasks SET search = search_document(title || ' ' || description || ' '
    || array_to_string(tags, ' ') || ' '
    || COALESCE((SELECT string_agg(a ->> 'name', ' ') FROM jsonb_array_elements(attachments) a), ''));
UPDATE comments SET search = search_document(content);
