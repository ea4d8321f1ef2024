DROP INDEX team_memberships_watchers;
ALTER TABLE team_memberships DROP COLUMN follow;
