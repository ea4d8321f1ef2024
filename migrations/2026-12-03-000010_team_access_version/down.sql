ALTER TABLE teams DROP COLUMN access_version;
