DROP TABLE outbox;
DROP TABLE audit_chain_heads;
DROP TABLE audit_log;
DROP TABLE users;
