-- Teams. `created_by` keeps the creator's id even after their account is gone.
CREATE TABLE teams (
    id          uuid PRIMARY KEY,
    name        text        NOT NULL,
    description text        NOT NULL DEFAULT '',
    created_by  uuid        NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE team_memberships (
    team_id   uuid        NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id   uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role      text        NOT NULL CHECK (role IN ('admin', 'member', 'guest')),
    joined_at timestamptz NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_memberships_user ON team_memberships (user_id, team_id);

-- Each role's permissions in each team, seeded with API.md's defaults when a team is created.
CREATE TABLE role_permissions (
    team_id     uuid   NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    role        text   NOT NULL CHECK (role IN ('admin', 'member', 'guest')),
    permissions text[] NOT NULL,
    PRIMARY KEY (team_id, role)
);
