-- Mail about notifications (ADR 24): one row per notification to mail, keyed by its id so that
-- queueing it again changes nothing. Rows of one batch (the notification alone, or a user's
-- digest due at one time) are claimed, sent and settled together under a lease.
CREATE TABLE mail_queue (
    notification_id uuid        PRIMARY KEY,
    user_id         uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    batch_key       text        NOT NULL,
    frequency       text        NOT NULL
        CONSTRAINT mail_queue_frequency_check
        CHECK (frequency IN ('immediate', 'hourly', 'daily', 'weekly')),
    notification    jsonb       NOT NULL,
    due_at          timestamptz NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    lease_owner     uuid,
    lease_until     timestamptz,
    sent_at         timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- Claims: unsent mail by due time, and the rest of each batch.
CREATE INDEX mail_queue_due ON mail_queue (due_at) WHERE sent_at IS NULL;
CREATE INDEX mail_queue_batch ON mail_queue (batch_key) WHERE sent_at IS NULL;
-- Pruning, and a deleted account's rows (the cascade).
CREATE INDEX mail_queue_sent ON mail_queue (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX mail_queue_user ON mail_queue (user_id);
