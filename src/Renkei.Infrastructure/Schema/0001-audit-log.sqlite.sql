-- An audit log (AuditLogStore), version 1: the schema of the releases before versioned migrations. $log$ is the log's table.
-- IF NOT EXISTS throughout, so a log those releases made (with no journal) is adopted in place.
CREATE TABLE IF NOT EXISTS $log$ (sequence INTEGER PRIMARY KEY, recorded_at BIGINT NOT NULL, payload BLOB NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS $log$_checkpoints (sequence INTEGER PRIMARY KEY, hash BLOB NOT NULL, signed_at BIGINT NOT NULL, signature BLOB NOT NULL, covered_hashes BLOB NULL, coverage_signature BLOB NULL);
CREATE TRIGGER IF NOT EXISTS $log$_no_update BEFORE UPDATE ON $log$ BEGIN SELECT RAISE(ABORT, 'the audit log $log$ is append-only'); END;
CREATE TRIGGER IF NOT EXISTS $log$_no_delete BEFORE DELETE ON $log$ BEGIN SELECT RAISE(ABORT, 'the audit log $log$ is append-only'); END;
CREATE TRIGGER IF NOT EXISTS $log$_checkpoints_no_update BEFORE UPDATE ON $log$_checkpoints BEGIN SELECT RAISE(ABORT, 'the audit log $log$_checkpoints is append-only'); END;
CREATE TRIGGER IF NOT EXISTS $log$_checkpoints_no_delete BEFORE DELETE ON $log$_checkpoints BEGIN SELECT RAISE(ABORT, 'the audit log $log$_checkpoints is append-only'); END;
