-- A team dashboard's counts, kept by the task writes themselves (ADR 25). Triggers on `tasks`
-- append what each statement changed as rows of signed deltas, in the write's transaction, so
-- writers never wait on one another's counter rows; readers sum a team's rows; the relay folds
-- each team's rows into one per key from time to time (PgDashboards::fold). The indexes carry
-- the counted columns, so a read touches only index pages.

-- Tasks by status and priority, and the cycle times of those that have one (started, then done).
CREATE TABLE team_status_tallies (
    team_id       uuid     NOT NULL,
    status        text     NOT NULL,
    priority      smallint NOT NULL,
    tasks         bigint   NOT NULL,
    cycled        bigint   NOT NULL,
    cycle_seconds numeric  NOT NULL,
    folded        boolean  NOT NULL DEFAULT false
);
-- Open and done tasks per assignee.
CREATE TABLE team_assignee_tallies (
    team_id     uuid    NOT NULL,
    assignee_id uuid    NOT NULL,
    open        bigint  NOT NULL,
    done        bigint  NOT NULL,
    folded      boolean NOT NULL DEFAULT false
);
-- Tasks created and completed per quarter hour: any time zone's days are whole quarter hours.
CREATE TABLE team_slot_tallies (
    team_id   uuid        NOT NULL,
    slot      timestamptz NOT NULL,
    created   bigint      NOT NULL,
    completed bigint      NOT NULL,
    folded    boolean     NOT NULL DEFAULT false
);
-- Open tasks per day they are due (UTC): overdue and due soon sum whole days, and count only
-- the two days cut by the time of the read over `tasks_team_open_due`.
CREATE TABLE team_due_tallies (
    team_id uuid    NOT NULL,
    day     date    NOT NULL,
    open    bigint  NOT NULL,
    folded  boolean NOT NULL DEFAULT false
);
CREATE INDEX team_status_tallies_team ON team_status_tallies (team_id)
    INCLUDE (status, priority, tasks, cycled, cycle_seconds);
CREATE INDEX team_assignee_tallies_team ON team_assignee_tallies (team_id)
    INCLUDE (assignee_id, open, done);
CREATE INDEX team_slot_tallies_team ON team_slot_tallies (team_id, slot) INCLUDE (created, completed);
CREATE INDEX team_due_tallies_team ON team_due_tallies (team_id, day) INCLUDE (open);
CREATE INDEX team_status_tallies_unfolded ON team_status_tallies (team_id) WHERE NOT folded;
CREATE INDEX team_assignee_tallies_unfolded ON team_assignee_tallies (team_id) WHERE NOT folded;
CREATE INDEX team_slot_tallies_unfolded ON team_slot_tallies (team_id) WHERE NOT folded;
CREATE INDEX team_due_tallies_unfolded ON team_due_tallies (team_id) WHERE NOT folded;

CREATE INDEX tasks_team_open_due ON tasks (team_id, due_date) WHERE status <> 'done';
DROP INDEX tasks_team_completed;

-- `changed`: the rows a statement removed (sign -1) and added (+1); the same task before and
-- after an update cancels out wherever nothing counted moved.
CREATE FUNCTION tally_tasks() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
    changed text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT n.*, 1 AS sign FROM new_rows n'
        WHEN 'DELETE' THEN 'SELECT o.*, -1 AS sign FROM old_rows o'
        ELSE 'SELECT n.*, 1 AS sign FROM new_rows n UNION ALL SELECT o.*, -1 FROM old_rows o'
    END;
BEGIN
    EXECUTE format($sql$
        WITH changed AS (
            SELECT c.*, CASE WHEN c.completed_at >= c.started_at
                THEN extract(epoch FROM c.completed_at - c.started_at) END AS cycle
            FROM (%s) c),
        statuses AS (
            INSERT INTO team_status_tallies (team_id, status, priority, tasks, cycled, cycle_seconds)
            SELECT team_id, status, priority, sum(sign),
                   COALESCE(sum(sign) FILTER (WHERE cycle IS NOT NULL), 0),
                   COALESCE(sum(sign * cycle), 0)
            FROM changed GROUP BY 1, 2, 3
            HAVING sum(sign) <> 0 OR COALESCE(sum(sign * cycle), 0) <> 0
                OR COALESCE(sum(sign) FILTER (WHERE cycle IS NOT NULL), 0) <> 0),
        assignees AS (
            INSERT INTO team_assignee_tallies (team_id, assignee_id, open, done)
            SELECT team_id, assignee_id,
                   COALESCE(sum(sign) FILTER (WHERE status <> 'done'), 0),
                   COALESCE(sum(sign) FILTER (WHERE status = 'done'), 0)
            FROM changed WHERE assignee_id IS NOT NULL GROUP BY 1, 2
            HAVING COALESCE(sum(sign) FILTER (WHERE status <> 'done'), 0) <> 0
                OR COALESCE(sum(sign) FILTER (WHERE status = 'done'), 0) <> 0),
        due AS (
            INSERT INTO team_due_tallies (team_id, day, open)
            SELECT team_id, (due_date AT TIME ZONE 'UTC')::date, sum(sign)
            FROM changed WHERE status <> 'done' AND due_date IS NOT NULL GROUP BY 1, 2
            HAVING sum(sign) <> 0)
        INSERT INTO team_slot_tallies (team_id, slot, created, completed)
        SELECT team_id, slot, sum(created), sum(completed) FROM (
            SELECT team_id, date_bin('15 minutes', created_at, 'epoch') AS slot,
                   sign AS created, 0 AS completed FROM changed
            UNION ALL
            SELECT team_id, date_bin('15 minutes', completed_at, 'epoch'), 0, sign
            FROM changed WHERE completed_at IS NOT NULL) s
        GROUP BY 1, 2 HAVING sum(created) <> 0 OR sum(completed) <> 0
    $sql$, changed);
    RETURN NULL;
END
$body$;

CREATE TRIGGER tasks_tally_insert AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tally_tasks();
CREATE TRIGGER tasks_tally_update AFTER UPDATE ON tasks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tally_tasks();
CREATE TRIGGER tasks_tally_delete AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tally_tasks();

-- The tasks there are: counted once, as if each had just been inserted.
INSERT INTO team_status_tallies (team_id, status, priority, tasks, cycled, cycle_seconds, folded)
SELECT team_id, status, priority, count(*),
       count(*) FILTER (WHERE completed_at >= started_at),
       COALESCE(sum(extract(epoch FROM completed_at - started_at))
                FILTER (WHERE completed_at >= started_at), 0), true
FROM tasks GROUP BY 1, 2, 3;
INSERT INTO team_assignee_tallies (team_id, assignee_id, open, done, folded)
SELECT team_id, assignee_id, count(*) FILTER (WHERE status <> 'done'),
       count(*) FILTER (WHERE status = 'done'), true
FROM tasks WHERE assignee_id IS NOT NULL GROUP BY 1, 2;
INSERT INTO team_due_tallies (team_id, day, open, folded)
SELECT team_id, (due_date AT TIME ZONE 'UTC')::date, count(*), true
FROM tasks WHERE status <> 'done' AND due_date IS NOT NULL GROUP BY 1, 2;
INSERT INTO team_slot_tallies (team_id, slot, created, completed, folded)
SELECT team_id, slot, sum(created), sum(completed), true FROM (
    SELECT team_id, date_bin('15 minutes', created_at, 'epoch') AS slot, 1 AS created, 0 AS completed
    FROM tasks
    UNION ALL
    SELECT team_id, date_bin('15 minutes', completed_at, 'epoch'), 0, 1
    FROM tasks WHERE completed_at IS NOT NULL) s
GROUP BY 1, 2;
