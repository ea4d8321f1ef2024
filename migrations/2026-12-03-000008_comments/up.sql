-- Comments' rows: the commit point of every comment change, the pages of a task's comments
-- (oldest first) and what full-text search reads. The documents are MongoDB's `comments`.
-- Authors keep their ids after the user is gone.
CREATE TABLE comments (
    id              uuid        PRIMARY KEY,
    task_id         uuid        NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    team_id         uuid        NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    author_id       uuid        NOT NULL,
    content         text        NOT NULL,
    mentioned_users uuid[]      NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL,
    last_edited_at  timestamptz,
    version         bigint      NOT NULL,
    search          tsvector    NOT NULL
);
CREATE INDEX comments_task_created ON comments (task_id, created_at, id);
CREATE INDEX comments_team ON comments (team_id);
CREATE INDEX comments_search ON comments USING gin (search);
