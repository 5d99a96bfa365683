-- The centre's transaction log: one row per kiosk transaction (the kiosk's transaction id). What was asked and how it
-- ended — kiosk, ward, kind, fee, paid, change, time, result code, the ward's serial — never the certificate's content,
-- never an individual number or a resident-record code. The fingerprint covers the request's choices only.
CREATE TABLE IF NOT EXISTS centre_transactions (
    transaction_id TEXT PRIMARY KEY,
    kiosk TEXT NOT NULL,
    ward TEXT NOT NULL,
    kind TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    paid_yen BIGINT NOT NULL,
    fee_yen BIGINT NULL,
    change_yen BIGINT NULL,
    serial BIGINT NULL,
    result TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    completed_at TEXT NULL,
    voided_at TEXT NULL,
    void_reason TEXT NULL);
CREATE INDEX IF NOT EXISTS centre_transactions_ward ON centre_transactions (ward, requested_at);
