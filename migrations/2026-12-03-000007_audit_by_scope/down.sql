DROP INDEX audit_log_scope_at;
