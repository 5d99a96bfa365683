-- The holder's tables, version 1: the schema of the releases before versioned migrations (HolderStore).
-- Every statement keeps IF NOT EXISTS, so a database those releases made (with no journal) is adopted in place.

CREATE TABLE IF NOT EXISTS holder_people (
    person_id $auto_id$,
    individual_number BIGINT NOT NULL,
    display_name TEXT NULL,
    birth_date TEXT NULL,
    sex INTEGER NULL,
    created_at TEXT NOT NULL,
    token_acquired_at TEXT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS ux_holder_people_number ON holder_people (individual_number);
CREATE TABLE IF NOT EXISTS pension_members (
    person_id BIGINT PRIMARY KEY REFERENCES holder_people (person_id),
    basic_pension_number TEXT NOT NULL,
    amount_fiscal_year INTEGER NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS ux_pension_members_bpn ON pension_members (basic_pension_number);
CREATE TABLE IF NOT EXISTS pension_benefits (
    person_id BIGINT NOT NULL REFERENCES pension_members (person_id),
    seq INTEGER NOT NULL,
    pension_type TEXT NOT NULL,
    scheme TEXT NOT NULL,
    disability_grade INTEGER NULL,
    annual_amount BIGINT NOT NULL,
    right_acquired_on TEXT NOT NULL,
    payment_from TEXT NOT NULL,
    payment_until TEXT NULL,
    suspended INTEGER NOT NULL,
    suspended_from TEXT NULL,
    PRIMARY KEY (person_id, seq));
CREATE TABLE IF NOT EXISTS insurance_qualifications (
    qualification_id $auto_id$,
    person_id BIGINT NOT NULL REFERENCES holder_people (person_id),
    category TEXT NOT NULL,
    insured_person_id BIGINT NULL REFERENCES holder_people (person_id),
    acquired_on TEXT NOT NULL,
    lost_on TEXT NULL,
    loss_reason TEXT NULL);
CREATE INDEX IF NOT EXISTS ix_insurance_qualifications_person ON insurance_qualifications (person_id);
CREATE INDEX IF NOT EXISTS ix_insurance_qualifications_insured ON insurance_qualifications (insured_person_id) WHERE insured_person_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS holder_copy_state (
    person_id BIGINT NOT NULL REFERENCES holder_people (person_id),
    kind TEXT NOT NULL,
    version BIGINT NOT NULL,
    fed_version BIGINT NOT NULL,
    PRIMARY KEY (person_id, kind));
CREATE INDEX IF NOT EXISTS ix_holder_copy_state_pending ON holder_copy_state (person_id, kind) WHERE version > fed_version;
CREATE TABLE IF NOT EXISTS holder_requests (
    request_id TEXT PRIMARY KEY,
    operation TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response TEXT NULL,
    received_at TEXT NOT NULL);
