CREATE INDEX audit_log_scope_at ON audit_log (scope, at DESC, id DESC);
