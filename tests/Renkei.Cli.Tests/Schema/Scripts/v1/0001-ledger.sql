-- A test component at version 1.
CREATE TABLE ledger (id $rowid$ PRIMARY KEY, note TEXT NOT NULL);
