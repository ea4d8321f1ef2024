-- Every profile field lives in `users`, so a profile is read from one row whatever MongoDB's
-- state (ADR 16). No released version holds profiles in MongoDB alone: nothing to import.
ALTER TABLE users
    ADD COLUMN bio              text    NOT NULL DEFAULT '',
    ADD COLUMN profile_picture  text,
    ADD COLUMN theme            text    NOT NULL DEFAULT 'system'
        CONSTRAINT users_theme_check CHECK (theme IN ('light', 'dark', 'system')),
    ADD COLUMN notify_email     boolean NOT NULL DEFAULT true,
    ADD COLUMN notify_push      boolean NOT NULL DEFAULT true,
    ADD COLUMN notify_frequency text    NOT NULL DEFAULT 'immediate'
        CONSTRAINT users_notify_frequency_check
        CHECK (notify_frequency IN ('immediate', 'hourly', 'daily', 'weekly'));

-- It served reads that looked documents up in outbox rows; no read does any more.
DROP INDEX outbox_effects;
