-- Due-date reminders armed for tasks: one per task, threshold and due date, so each fires once
-- and a moved due date arms them again. A task's deletion takes its reminders along.
CREATE TABLE task_reminders (
    task_id      uuid        NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    threshold    text        NOT NULL CONSTRAINT task_reminders_threshold CHECK (threshold IN ('due_soon', 'overdue')),
    due_date     timestamptz NOT NULL,
    armed_at     timestamptz NOT NULL,
    delivered_at timestamptz,
    PRIMARY KEY (task_id, threshold, due_date)
);

CREATE INDEX task_reminders_undelivered ON task_reminders (armed_at) WHERE delivered_at IS NULL;

-- What the reminder job scans: assigned, unfinished tasks by due date.
CREATE INDEX tasks_due_assigned ON tasks (due_date)
    WHERE assignee_id IS NOT NULL AND status <> 'done' AND due_date IS NOT NULL;
