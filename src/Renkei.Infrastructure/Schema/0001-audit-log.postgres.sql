-- An audit log (AuditLogStore), version 1: the schema of the releases before versioned migrations. $log$ is the log's table.
-- IF NOT EXISTS / OR REPLACE throughout, so a log those releases made (with no journal) is adopted in place.
-- The function is shared by every log in the schema: logs migrating at once take turns.
SELECT pg_advisory_xact_lock(hashtext('renkei-audit-schema'));
CREATE TABLE IF NOT EXISTS $log$ (sequence BIGINT PRIMARY KEY, recorded_at BIGINT NOT NULL, payload BYTEA NOT NULL, prev_hash BYTEA NOT NULL, hash BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS $log$_checkpoints (sequence BIGINT PRIMARY KEY, hash BYTEA NOT NULL, signed_at BIGINT NOT NULL, signature BYTEA NOT NULL, covered_hashes BYTEA NULL, coverage_signature BYTEA NULL);
CREATE OR REPLACE FUNCTION renkei_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'the audit log % is append-only', TG_TABLE_NAME; END $$;
CREATE OR REPLACE TRIGGER $log$_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON $log$ FOR EACH STATEMENT EXECUTE FUNCTION renkei_audit_append_only();
CREATE OR REPLACE TRIGGER $log$_checkpoints_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON $log$_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION renkei_audit_append_only();
