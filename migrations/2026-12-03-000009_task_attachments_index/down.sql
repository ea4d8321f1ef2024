DROP INDEX tasks_attachments;
