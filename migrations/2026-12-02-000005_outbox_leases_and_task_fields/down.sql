ALTER TABLE tasks DROP COLUMN attachments, DROP COLUMN custom_fields, DROP COLUMN description;
DROP INDEX outbox_dead;
DROP INDEX outbox_pending_scope;
DROP INDEX outbox_pending_aggregate;
DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox (id) WHERE applied_at IS NULL;
ALTER TABLE outbox
    DROP COLUMN dead_at,
    DROP COLUMN lease_until,
    DROP COLUMN lease_owner,
    DROP COLUMN barrier,
    DROP COLUMN scope;
