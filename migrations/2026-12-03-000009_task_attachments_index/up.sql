CREATE INDEX tasks_attachments ON tasks USING gin (attachments jsonb_path_ops);
