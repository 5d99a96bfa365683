ALTER TABLE ledger ADD COLUMN seal $bytes$ NULL;
CREATE FUNCTION ledger_rows_stay() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'ledger rows stay'; END $$;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger FOR EACH ROW EXECUTE FUNCTION ledger_rows_stay();
