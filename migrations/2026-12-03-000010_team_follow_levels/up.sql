-- How a member follows a team's notifications: default, watch (every change) or mute (none).
ALTER TABLE team_memberships
    ADD COLUMN follow text NOT NULL DEFAULT 'default'
        CONSTRAINT team_memberships_follow CHECK (follow IN ('default', 'watch', 'mute'));

-- Every change of a team looks its watchers up.
CREATE INDEX team_memberships_watchers ON team_memberships (team_id) WHERE follow = 'watch';
