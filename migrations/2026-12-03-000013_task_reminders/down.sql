DROP INDEX tasks_due_assigned;
DROP TABLE task_reminders;
