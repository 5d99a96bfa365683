-- Needs 0001's table: only runs after it.
ALTER TABLE ledger ADD COLUMN amount BIGINT NOT NULL DEFAULT 0;
UPDATE ledger SET amount = LENGTH(note);
