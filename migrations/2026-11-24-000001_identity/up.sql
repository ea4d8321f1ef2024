-- Accounts: credentials and the relational core of a user. Emails are unique case-insensitively.
CREATE TABLE users (
    id              uuid PRIMARY KEY,
    email           text        NOT NULL,
    password_hash   text        NOT NULL,
    first_name      text        NOT NULL,
    last_name       text        NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    last_login      timestamptz,
    profile_version bigint      NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- The audit log. Rows are inserted unchained (seq, prev_hash and hash NULL) in the commit of
-- their change; the sequencer chains committed rows per scope shortly after, in commit order.
CREATE TABLE audit_log (
    id             uuid PRIMARY KEY,
    scope          text        NOT NULL,
    entity_type    text        NOT NULL,
    entity_id      uuid        NOT NULL,
    action         text        NOT NULL,
    actor_id       uuid,
    at             timestamptz NOT NULL,
    previous_state jsonb,
    new_state      jsonb,
    ip             text,
    user_agent     text,
    seq            bigint,
    prev_hash      bytea,
    hash           bytea,
    CONSTRAINT audit_log_scope_seq_key UNIQUE (scope, seq)
);
CREATE INDEX audit_log_unchained ON audit_log (scope, id) WHERE seq IS NULL;
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, at DESC);

-- The last link of each scope's chain; its row lock serializes the sequencer per scope only.
CREATE TABLE audit_chain_heads (
    scope text   PRIMARY KEY,
    seq   bigint NOT NULL,
    hash  bytea  NOT NULL
);

-- What MongoDB and Redis must still be told. Applied rows are kept for a while (they let a read
-- repair a document that is not projected yet) and then pruned by the relay.
CREATE TABLE outbox (
    id           bigserial PRIMARY KEY,
    aggregate    text        NOT NULL,
    effects      jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    available_at timestamptz NOT NULL DEFAULT now(),
    attempts     integer     NOT NULL DEFAULT 0,
    last_error   text,
    applied_at   timestamptz
);
CREATE INDEX outbox_pending ON outbox (id) WHERE applied_at IS NULL;
CREATE INDEX outbox_aggregate ON outbox (aggregate, id);
CREATE INDEX outbox_effects ON outbox USING gin (effects jsonb_path_ops);
CREATE INDEX outbox_applied ON outbox (applied_at) WHERE applied_at IS NOT NULL;
