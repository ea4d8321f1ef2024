DROP INDEX tasks_due_last;
DROP INDEX tasks_due_first;
DROP INDEX tasks_priority;
DROP INDEX tasks_updated;
DROP INDEX tasks_created;
