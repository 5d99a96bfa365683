-- The network's tables, version 1: the schema of the releases before versioned migrations (NetworkStore).
-- Every statement keeps IF NOT EXISTS, so a database those releases made (with no journal) is adopted in place.

CREATE TABLE IF NOT EXISTS net_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS net_institutions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    class TEXT NOT NULL,
    endpoint TEXT NULL,
    signing_key TEXT NOT NULL,
    sealing_key TEXT NOT NULL,
    updated_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS net_id_codes (
    id_code $rowid$ PRIMARY KEY,
    first_issued_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS net_token_issuance (
    institution TEXT NOT NULL,
    id_code BIGINT NOT NULL,
    issued_at BIGINT NOT NULL,
    PRIMARY KEY (institution, id_code));
CREATE TABLE IF NOT EXISTS net_requests (
    request_id TEXT PRIMARY KEY,
    operation TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response TEXT NULL,
    received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS net_batches (
    batch_id TEXT PRIMARY KEY,
    inquirer TEXT NOT NULL,
    affair TEXT NOT NULL,
    provider TEXT NOT NULL,
    kind TEXT NOT NULL,
    policy_date TEXT NULL,
    total INTEGER NOT NULL,
    state TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS net_batches_state ON net_batches (state);
CREATE TABLE IF NOT EXISTS net_batch_items (
    batch_id TEXT NOT NULL,
    item_index INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    inquirer_token BIGINT NOT NULL,
    as_of TEXT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    response TEXT NULL,
    record_sequence BIGINT NULL,
    PRIMARY KEY (batch_id, item_index));
CREATE TABLE IF NOT EXISTS net_record_index (
    id_code BIGINT NOT NULL,
    sequence BIGINT NOT NULL,
    PRIMARY KEY (id_code, sequence));
CREATE TABLE IF NOT EXISTS net_record_subjects (
    sequence $rowid$ PRIMARY KEY,
    salt TEXT NOT NULL,
    inquirer_token BIGINT NOT NULL,
    provider_token BIGINT NULL);
CREATE INDEX IF NOT EXISTS net_token_issuance_person ON net_token_issuance (id_code);
CREATE TABLE IF NOT EXISTS net_notices (
    notice_id TEXT PRIMARY KEY,
    id_code BIGINT NOT NULL,
    sender TEXT NOT NULL,
    portal TEXT NOT NULL,
    sealed TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    read_at BIGINT NULL);
CREATE INDEX IF NOT EXISTS net_notices_person ON net_notices (id_code, sent_at);
