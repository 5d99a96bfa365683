-- A test component at version 1 (the same script in the later release).
CREATE TABLE ledger (id $rowid$ PRIMARY KEY, note TEXT NOT NULL);
