-- The intermediate server's tables, version 1: the schema of the releases before versioned migrations (IntermediateStore, TokenStore, PartyRecordLog, InquiryBatchStore, the sent-notice ledger).
-- Every statement keeps IF NOT EXISTS, so a database those releases made (with no journal) is adopted in place.

CREATE TABLE IF NOT EXISTS intermediate_copies (
    holder_code TEXT NOT NULL,
    addressee_number BIGINT NOT NULL,
    kind TEXT NOT NULL,
    as_of TEXT NOT NULL,
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (holder_code, addressee_number, kind))$without_rowid$;
CREATE TABLE IF NOT EXISTS intermediate_requests (
    request_id TEXT PRIMARY KEY,
    operation TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response TEXT NULL,
    received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS intermediate_tokens (
    holder_code TEXT NOT NULL,
    addressee_number BIGINT NOT NULL,
    token BIGINT NOT NULL,
    bound_at TEXT NOT NULL,
    PRIMARY KEY (holder_code, addressee_number));
CREATE UNIQUE INDEX IF NOT EXISTS intermediate_tokens_token ON intermediate_tokens (holder_code, token);
CREATE TABLE IF NOT EXISTS intermediate_token_requests (
    request_id TEXT NOT NULL,
    item_index INTEGER NOT NULL,
    holder_code TEXT NOT NULL,
    addressee_number BIGINT NOT NULL,
    is_batch INTEGER NOT NULL,
    state TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    PRIMARY KEY (request_id, item_index));
CREATE INDEX IF NOT EXISTS intermediate_token_requests_addressee ON intermediate_token_requests (holder_code, addressee_number);
CREATE TABLE IF NOT EXISTS intermediate_party_claims (
    role TEXT NOT NULL,
    request_id TEXT NOT NULL,
    item_index INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL,
    log_head BIGINT NOT NULL,
    claimed_at TEXT NOT NULL,
    response TEXT NULL,
    record_sequence BIGINT NULL,
    PRIMARY KEY (role, request_id, item_index));
CREATE TABLE IF NOT EXISTS intermediate_inquiry_batches (
    batch_id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    affair TEXT NOT NULL,
    provider TEXT NOT NULL,
    kind TEXT NOT NULL,
    submitted INTEGER NOT NULL,
    accepted TEXT NOT NULL,
    items INTEGER NOT NULL,
    created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS intermediate_inquiry_batch_items (
    batch_id TEXT NOT NULL,
    item_index INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    addressee_number BIGINT NOT NULL,
    as_of TEXT NULL,
    PRIMARY KEY (batch_id, item_index));
CREATE TABLE IF NOT EXISTS intermediate_sent_notices (
    request_id TEXT PRIMARY KEY,
    operation TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response TEXT NULL,
    received_at TEXT NOT NULL);
