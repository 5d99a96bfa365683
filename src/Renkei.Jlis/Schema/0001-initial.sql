-- J-LIS's tables, version 1: the schema of the releases before versioned migrations (JlisStore, CardStore, JpkiStore, JlisInstitutions, the token and portal-login request ledgers).
-- Every statement keeps IF NOT EXISTS, so a database those releases made (with no journal) is adopted in place.

CREATE TABLE IF NOT EXISTS jlis_number_map (
    resident_code $rowid$ PRIMARY KEY,
    individual_number BIGINT NOT NULL, -- unique by construction (a keyed permutation), so no index: see the class comment
    generation INTEGER NOT NULL,
    municipality TEXT NOT NULL,
    designated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jlis_number_history ( -- numbers superseded by a number change
    individual_number $rowid$ PRIMARY KEY,
    resident_code BIGINT NOT NULL,
    generation INTEGER NOT NULL,
    municipality TEXT NOT NULL,
    designated_at TEXT NOT NULL,
    superseded_at TEXT NULL,
    superseded_reason TEXT NULL,
    UNIQUE (resident_code, generation));
CREATE TABLE IF NOT EXISTS jlis_resident_codes (
    resident_code $rowid$ PRIMARY KEY,
    municipality TEXT NOT NULL,
    reason TEXT NOT NULL,
    issued_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jlis_residence ( -- where a resident lives now after a move (転入通知), else the designating municipality applies
    resident_code $rowid$ PRIMARY KEY,
    municipality TEXT NOT NULL,
    since TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jlis_retired_codes (
    resident_code $rowid$ PRIMARY KEY,
    reason TEXT NOT NULL,
    retired_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jlis_requests (
    request_id TEXT PRIMARY KEY,
    operation TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response TEXT NULL,
    received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jlis_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS card_applications (
    application_id TEXT PRIMARY KEY,
    resident_code BIGINT NOT NULL,
    municipality TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    sex INTEGER NOT NULL,
    photo TEXT NULL,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    replaces_card TEXT NULL,
    issued_card TEXT NULL,
    received_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS card_applications_resident ON card_applications (resident_code);
CREATE TABLE IF NOT EXISTS card_cards (
    card_number TEXT PRIMARY KEY,
    application_id TEXT NOT NULL UNIQUE,
    resident_code BIGINT NOT NULL,
    municipality TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    sex INTEGER NOT NULL,
    photo TEXT NULL,
    issued_on TEXT NOT NULL,
    card_expires TEXT NOT NULL,
    state TEXT NOT NULL,
    end_reason TEXT NULL,
    user_serial TEXT NULL,
    user_expires TEXT NULL,
    signing_serial TEXT NULL,
    signing_expires TEXT NULL,
    handed_over_at TEXT NULL,
    replaces_card TEXT NULL);
CREATE INDEX IF NOT EXISTS card_cards_resident ON card_cards (resident_code);
CREATE INDEX IF NOT EXISTS card_cards_user_serial ON card_cards (user_serial);
CREATE TABLE IF NOT EXISTS card_events (
    event_id $auto_id$,
    card_number TEXT NULL,
    application_id TEXT NULL,
    event TEXT NOT NULL,
    at TEXT NOT NULL,
    operator TEXT NOT NULL,
    detail TEXT NULL,
    request_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS card_events_card ON card_events (card_number);
CREATE TABLE IF NOT EXISTS card_requests (
    request_id TEXT PRIMARY KEY,
    operation TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response TEXT NULL,
    received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jpki_authorities (
    name TEXT PRIMARY KEY, -- root, signing, user-authentication
    certificate $bytes$ NOT NULL,
    crl_number BIGINT NOT NULL,
    crl $bytes$ NULL,
    crl_next_update TEXT NULL);
CREATE TABLE IF NOT EXISTS jpki_certificates (
    kind TEXT NOT NULL, -- signing, user-authentication
    serial TEXT NOT NULL, -- upper-case hexadecimal
    status TEXT NOT NULL, -- good, revoked, suspended
    not_before TEXT NOT NULL,
    not_after TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    revoked_at TEXT NULL,
    revocation_reason TEXT NULL,
    PRIMARY KEY (kind, serial));
CREATE INDEX IF NOT EXISTS jpki_certificates_listed ON jpki_certificates (kind, status);
CREATE TABLE IF NOT EXISTS jlis_institutions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    signing_public_key TEXT NOT NULL,
    registered_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jlis_token_requests (
    request_id TEXT PRIMARY KEY,
    operation TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response TEXT NULL,
    received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jlis_portal_requests (
    request_id TEXT PRIMARY KEY,
    operation TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response TEXT NULL,
    received_at TEXT NOT NULL);
