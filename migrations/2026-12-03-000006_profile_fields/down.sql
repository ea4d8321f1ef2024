CREATE INDEX outbox_effects ON outbox USING gin (effects jsonb_path_ops);
ALTER TABLE users
    DROP COLUMN notify_frequency,
    DROP COLUMN notify_push,
    DROP COLUMN notify_email,
    DROP COLUMN theme,
    DROP COLUMN profile_picture,
    DROP COLUMN bio;
