-- 支援措置 (DV・ストーカー行為等・児童虐待等の被害者への支援措置): a resident placed under a support measure, from a day, of a
-- kind, recorded by whom and when, until released (day, by whom). One open measure per resident (the partial unique index);
-- rows are never deleted. While one is open the ward's issuance server refuses kiosk issuance (counter only).
CREATE TABLE support_measures (
    id $auto_id$,
    resident_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    from_date TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    released_on TEXT NULL,
    released_by TEXT NULL,
    released_at TEXT NULL);
CREATE UNIQUE INDEX ux_support_measures_open ON support_measures (resident_id) WHERE released_on IS NULL;
CREATE INDEX ix_support_measures_resident ON support_measures (resident_id);
-- The issuance ledger learns the channel (counter or kiosk), the kiosk transaction (unique), what was paid at the kiosk,
-- and the voiding of a kiosk issuance that could not be printed or paid (not counted as issued, no fee). Entries from
-- before this script are counter issuances.
ALTER TABLE certificate_issuances ADD COLUMN channel TEXT NOT NULL DEFAULT 'counter';
ALTER TABLE certificate_issuances ADD COLUMN transaction_id TEXT NULL;
ALTER TABLE certificate_issuances ADD COLUMN paid_yen BIGINT NULL;
ALTER TABLE certificate_issuances ADD COLUMN voided_at TEXT NULL;
ALTER TABLE certificate_issuances ADD COLUMN void_reason TEXT NULL;
CREATE UNIQUE INDEX ux_certificate_issuances_transaction ON certificate_issuances (transaction_id);
CREATE INDEX ix_certificate_issuances_issued_on ON certificate_issuances (issued_on);
-- Kiosk transactions seen (RequestLedger): the transaction id, issue or void, a fingerprint of the request (never its
-- content) and the ledger entry it produced, so a resend gets the same certificate and a reuse is refused.
CREATE TABLE kiosk_transactions (
    request_id TEXT PRIMARY KEY,
    operation TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response TEXT NULL,
    received_at TEXT NOT NULL);
