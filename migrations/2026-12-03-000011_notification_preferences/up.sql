-- Email preferences of issue 12: the zone a user's digest periods and quiet hours are reckoned
-- in (an IANA name, checked by the domain), and their quiet hours, both ends or neither.
ALTER TABLE users
    ADD COLUMN notify_time_zone   text NOT NULL DEFAULT 'UTC'
        CONSTRAINT users_notify_time_zone_check CHECK (notify_time_zone <> ''),
    ADD COLUMN notify_quiet_start time(0),
    ADD COLUMN notify_quiet_end   time(0),
    ADD CONSTRAINT users_notify_quiet_hours_check CHECK (
        (notify_quiet_start IS NULL AND notify_quiet_end IS NULL)
        OR (notify_quiet_start IS NOT NULL AND notify_quiet_end IS NOT NULL
            AND notify_quiet_start <> notify_quiet_end));
