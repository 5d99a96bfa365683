-- The residence-tax system's payments ledger (収納): one row per payment received for one installment (期別) of one
-- person's residence tax (特別区民税・都民税) of one fiscal year — the day paid, the amount, and when and by whom it was
-- entered. The amount assessed and the installments (普通徴収 4期: June, August, October, January) follow from the
-- assessment (tax_assessments); 未納 is computed, never stored.
CREATE TABLE IF NOT EXISTS tax_payments (
    id $auto_id$,
    person_id BIGINT NOT NULL,
    fiscal_year BIGINT NOT NULL,
    installment BIGINT NOT NULL,
    paid_on TEXT NOT NULL,
    amount BIGINT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_tax_payments_person_year ON tax_payments (person_id, fiscal_year);
