-- The relational core of tasks: what lists, filters, sorting and search need. The full document
-- (description, custom fields, attachments) is MongoDB's `tasks`; `search` indexes the title,
-- description and tags. Assignee and creator keep their ids after the user is gone.
CREATE TABLE tasks (
    id          uuid        PRIMARY KEY,
    team_id     uuid        NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    title       text        NOT NULL,
    status      text        NOT NULL CHECK (status IN ('backlog', 'todo', 'in_progress', 'in_review', 'done')),
    priority    smallint    NOT NULL CHECK (priority BETWEEN 0 AND 3),
    assignee_id uuid,
    creator_id  uuid        NOT NULL,
    due_date    timestamptz,
    tags        text[]      NOT NULL DEFAULT '{}',
    search      tsvector    NOT NULL,
    version     bigint      NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX tasks_team_created ON tasks (team_id, created_at DESC, id DESC);
CREATE INDEX tasks_team_updated ON tasks (team_id, updated_at DESC, id DESC);
CREATE INDEX tasks_team_due ON tasks (team_id, due_date, id);
CREATE INDEX tasks_team_priority ON tasks (team_id, priority, id);
CREATE INDEX tasks_team_status ON tasks (team_id, status);
CREATE INDEX tasks_assignee ON tasks (assignee_id, team_id) WHERE assignee_id IS NOT NULL;
CREATE INDEX tasks_tags ON tasks USING gin (tags);
CREATE INDEX tasks_search ON tasks USING gin (search);

-- POST retries with an Idempotency-Key: the first request's outcome, per user and key.
CREATE TABLE idempotency_keys (
    user_id      uuid        NOT NULL,
    key          text        NOT NULL,
    request_hash text        NOT NULL,
    response     jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
