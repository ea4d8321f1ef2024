-- Outbox rows are ordered per entity (`aggregate`, e.g. `task:{id}`) within a scope (`scope`,
-- e.g. `team:{id}`); a `barrier` row (a change of the whole scope, such as a team's deletion)
-- orders against every row of its scope. Rows are claimed with a committed lease instead of a
-- row lock held while other stores are called; a row that can never succeed becomes a dead
-- letter that blocks nothing.
ALTER TABLE outbox
    ADD COLUMN scope       text        NOT NULL DEFAULT '',
    ADD COLUMN barrier     boolean     NOT NULL DEFAULT false,
    ADD COLUMN lease_owner uuid,
    ADD COLUMN lease_until timestamptz,
    ADD COLUMN dead_at     timestamptz;
-- Rows written before this migration were ordered per team or per account: keep that order by
-- making each a barrier of its old aggregate.
UPDATE outbox SET scope = replace(aggregate, 'user:', 'account:'), barrier = true;
ALTER TABLE outbox ALTER COLUMN scope DROP DEFAULT;

DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox (id) WHERE applied_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_pending_aggregate ON outbox (aggregate, id) WHERE applied_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_pending_scope ON outbox (scope, id) WHERE applied_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_dead ON outbox (id) WHERE dead_at IS NOT NULL;

-- Every field a task response needs lives in PostgreSQL too, so lists, changes and reads work
-- whatever MongoDB's state (ADR 10). Existing rows take them from the newest retained outbox
-- row that put their document.
ALTER TABLE tasks
    ADD COLUMN description   text  NOT NULL DEFAULT '',
    ADD COLUMN custom_fields jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN attachments   jsonb NOT NULL DEFAULT '[]';
UPDATE tasks t SET
    description   = COALESCE(d.body ->> 'description', ''),
    custom_fields = COALESCE(d.body -> 'customFields', '{}'),
    attachments   = COALESCE(d.body -> 'attachments', '[]')
FROM (
    SELECT DISTINCT ON ((e ->> 'id')::uuid) (e ->> 'id')::uuid AS id, e -> 'body' AS body
    FROM outbox, jsonb_array_elements(effects) e
    WHERE e ->> 'type' = 'put_document' AND e ->> 'collection' = 'tasks'
    ORDER BY (e ->> 'id')::uuid, (e ->> 'version')::bigint DESC
) d
WHERE d.id = t.id;
