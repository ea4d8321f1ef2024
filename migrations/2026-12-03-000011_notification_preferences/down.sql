ALTER TABLE users
    DROP CONSTRAINT users_notify_quiet_hours_check,
    DROP COLUMN notify_quiet_end,
    DROP COLUMN notify_quiet_start,
    DROP COLUMN notify_time_zone;
