DROP TRIGGER tasks_tally_insert ON tasks;
DROP TRIGGER tasks_tally_update ON tasks;
DROP TRIGGER tasks_tally_delete ON tasks;
DROP FUNCTION tally_tasks();
DROP TABLE team_status_tallies, team_assignee_tallies, team_slot_tallies, team_due_tallies;
DROP INDEX tasks_team_open_due;
CREATE INDEX tasks_team_completed ON tasks (team_id, completed_at) WHERE completed_at IS NOT NULL;
