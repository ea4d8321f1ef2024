-- Bumped by every membership, role and permission change of the team in its commit: the
-- version that stamps the team's access entries in Redis (ADR 17).
ALTER TABLE teams ADD COLUMN access_version bigint NOT NULL DEFAULT 0;
