ALTER TABLE ledger ADD COLUMN seal $bytes$ NULL;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN SELECT RAISE(ABORT, 'ledger rows stay'); END;
