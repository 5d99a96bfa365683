-- The ward's tables, version 1: the schema of the releases before versioned migrations (ResidentRegister, StaffDirectory, TokenHoldings, AddresseeSystem, the five business systems, ApplicationStore).
-- Every statement keeps IF NOT EXISTS, so a database those releases made (with no journal) is adopted in place.

CREATE TABLE IF NOT EXISTS register_info (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS households (
    household_number TEXT PRIMARY KEY,
    created_on TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS residents (
    id $auto_id$,
    resident_code BIGINT NOT NULL,
    family_name TEXT NOT NULL,
    given_name TEXT NOT NULL,
    family_name_kana TEXT NOT NULL,
    given_name_kana TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    sex INTEGER NOT NULL,
    address TEXT NOT NULL,
    household_number TEXT NOT NULL,
    relationship INTEGER NOT NULL,
    resident_since TEXT NOT NULL,
    status INTEGER NOT NULL,
    status_date TEXT NULL,
    moved_out_to TEXT NULL,
    foreign_resident INTEGER NOT NULL,
    nationality TEXT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS ux_residents_code ON residents (resident_code);
CREATE INDEX IF NOT EXISTS ix_residents_household ON residents (household_number);
CREATE TABLE IF NOT EXISTS resident_numbers (
    id $auto_id$,
    resident_id BIGINT NOT NULL,
    individual_number BIGINT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NULL,
    reason TEXT NOT NULL);
-- A resident's current number is their open history row (valid_to NULL): at most one per resident,
-- and a number belongs to one person, ever (so it is also unique across the register).
-- Keeping it out of residents means designating a number never rewrites a resident row.
CREATE UNIQUE INDEX IF NOT EXISTS ux_resident_numbers_number ON resident_numbers (individual_number);
CREATE UNIQUE INDEX IF NOT EXISTS ux_resident_numbers_current ON resident_numbers (resident_id) WHERE valid_to IS NULL;
CREATE INDEX IF NOT EXISTS ix_resident_numbers_resident ON resident_numbers (resident_id);
CREATE TABLE IF NOT EXISTS register_events (
    id $auto_id$,
    resident_id BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    event_date TEXT NOT NULL,
    reason TEXT NOT NULL,
    before_summary TEXT NULL,
    after_summary TEXT NULL,
    request_id TEXT NULL,
    recorded_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_register_events_resident ON register_events (resident_id);
CREATE TABLE IF NOT EXISTS register_requests (
    request_id TEXT PRIMARY KEY,
    event_type TEXT NOT NULL,
    resident_id BIGINT NOT NULL,
    household_number TEXT NOT NULL,
    event_id BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS register_counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS register_imports (
    id $auto_id$,
    imported_at TEXT NOT NULL,
    source TEXT NOT NULL,
    rows_imported BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS assignment_batches (
    batch_id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    codes $bytes$ NOT NULL,
    code_count INTEGER NOT NULL,
    state INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    applied_at TEXT NULL,
    assigned INTEGER NOT NULL,
    discarded INTEGER NOT NULL,
    retried INTEGER NOT NULL,
    refused INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS assignment_discards (
    batch_id TEXT NOT NULL,
    resident_code BIGINT NOT NULL,
    reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS assignment_attempts (
    resident_code BIGINT PRIMARY KEY,
    attempts INTEGER NOT NULL,
    refused INTEGER NOT NULL,
    last_reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS staff_accounts (
    staff_id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    active INTEGER NOT NULL,
    password_hash TEXT NOT NULL,
    totp_secret $bytes$ NOT NULL,
    totp_last_step BIGINT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS staff_affairs (
    staff_id TEXT NOT NULL REFERENCES staff_accounts (staff_id) ON DELETE CASCADE,
    affair_code TEXT NOT NULL,
    PRIMARY KEY (staff_id, affair_code));
CREATE TABLE IF NOT EXISTS staff_login_failures (
    staff_id TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failed_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS staff_lockouts (
    staff_id TEXT PRIMARY KEY,
    lockouts INTEGER NOT NULL,
    locked_until TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS token_holdings (
    addressee_number BIGINT PRIMARY KEY,
    source TEXT NOT NULL,
    acquired_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS token_refusals (
    addressee_number BIGINT PRIMARY KEY,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    refused_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS token_chunks (
    chunk_id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    payload $bytes$ NULL,
    item_count INTEGER NOT NULL,
    state INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    applied_at TEXT NULL,
    held INTEGER NOT NULL,
    refused INTEGER NOT NULL,
    not_delivered INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS addressee_serials (name TEXT PRIMARY KEY, next_value BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS addressee_persons (
    addressee_number BIGINT PRIMARY KEY,
    resident_id BIGINT NULL,
    origin BIGINT NOT NULL,
    individual_number BIGINT NULL,
    family_name TEXT NULL,
    given_name TEXT NULL,
    family_name_kana TEXT NULL,
    given_name_kana TEXT NULL,
    birth_date TEXT NULL,
    sex BIGINT NULL,
    address TEXT NULL,
    request_id TEXT NULL,
    registered_by TEXT NOT NULL,
    created_at TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS ux_addressee_persons_resident ON addressee_persons (resident_id) WHERE resident_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS ux_addressee_persons_number ON addressee_persons (individual_number) WHERE individual_number IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS ux_addressee_persons_request ON addressee_persons (request_id) WHERE request_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS addressee_links (
    system_code TEXT NOT NULL,
    system_person_id BIGINT NOT NULL,
    addressee_number BIGINT NOT NULL,
    linked_at TEXT NOT NULL,
    PRIMARY KEY (system_code, system_person_id));
CREATE UNIQUE INDEX IF NOT EXISTS ux_addressee_links_addressee ON addressee_links (addressee_number, system_code);
-- ResidenceTax
CREATE TABLE IF NOT EXISTS tax_serials (name TEXT PRIMARY KEY, next_value BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS tax_persons (
    person_id BIGINT PRIMARY KEY,
    addressee_number BIGINT NOT NULL,
    individual_number BIGINT NULL,
    enrolled_on TEXT NOT NULL,
    relationship_ended_on TEXT NULL,
    number_deleted_on TEXT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS ux_tax_persons_addressee ON tax_persons (addressee_number);
CREATE INDEX IF NOT EXISTS ix_tax_persons_ended ON tax_persons (relationship_ended_on) WHERE individual_number IS NOT NULL;
CREATE TABLE IF NOT EXISTS tax_number_deletions (
    person_id BIGINT PRIMARY KEY,
    addressee_number BIGINT NOT NULL,
    relationship_ended_on TEXT NOT NULL,
    deleted_on TEXT NOT NULL,
    logged BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS tax_feed_outbox (
    seq $auto_id$,
    addressee_number BIGINT NOT NULL,
    changed_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tax_assessments (
    person_id BIGINT NOT NULL,
    fiscal_year BIGINT NOT NULL,
    total_income BIGINT NOT NULL,
    basic_deduction BIGINT NOT NULL,
    social_insurance_deduction BIGINT NOT NULL,
    spouse_deduction BIGINT NOT NULL,
    dependant_deduction BIGINT NOT NULL,
    dependants BIGINT NOT NULL,
    dependants_under16 BIGINT NOT NULL,
    taxable_income BIGINT NOT NULL,
    income_levy BIGINT NOT NULL,
    per_capita_levy BIGINT NOT NULL,
    status BIGINT NOT NULL,
    PRIMARY KEY (person_id, fiscal_year));
-- ChildAllowance
CREATE TABLE IF NOT EXISTS ca_serials (name TEXT PRIMARY KEY, next_value BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS ca_persons (
    person_id BIGINT PRIMARY KEY,
    addressee_number BIGINT NOT NULL,
    individual_number BIGINT NULL,
    enrolled_on TEXT NOT NULL,
    relationship_ended_on TEXT NULL,
    number_deleted_on TEXT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS ux_ca_persons_addressee ON ca_persons (addressee_number);
CREATE INDEX IF NOT EXISTS ix_ca_persons_ended ON ca_persons (relationship_ended_on) WHERE individual_number IS NOT NULL;
CREATE TABLE IF NOT EXISTS ca_number_deletions (
    person_id BIGINT PRIMARY KEY,
    addressee_number BIGINT NOT NULL,
    relationship_ended_on TEXT NOT NULL,
    deleted_on TEXT NOT NULL,
    logged BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS ca_feed_outbox (
    seq $auto_id$,
    addressee_number BIGINT NOT NULL,
    changed_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ca_recipients (
    person_id BIGINT PRIMARY KEY,
    household_number TEXT NOT NULL,
    certified_on TEXT NOT NULL,
    monthly_amount BIGINT NOT NULL,
    ended_on TEXT NULL);
CREATE TABLE IF NOT EXISTS ca_children (
    recipient_person_id BIGINT NOT NULL,
    child_person_id BIGINT NOT NULL,
    child_addressee_number BIGINT NOT NULL,
    child_birth_date TEXT NOT NULL,
    child_order BIGINT NOT NULL,
    monthly_amount BIGINT NOT NULL,
    PRIMARY KEY (recipient_person_id, child_person_id));
CREATE INDEX IF NOT EXISTS ix_ca_children_child ON ca_children (child_addressee_number);
-- NursingCareInsurance
CREATE TABLE IF NOT EXISTS ltc_serials (name TEXT PRIMARY KEY, next_value BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS ltc_persons (
    person_id BIGINT PRIMARY KEY,
    addressee_number BIGINT NOT NULL,
    individual_number BIGINT NULL,
    enrolled_on TEXT NOT NULL,
    relationship_ended_on TEXT NULL,
    number_deleted_on TEXT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS ux_ltc_persons_addressee ON ltc_persons (addressee_number);
CREATE INDEX IF NOT EXISTS ix_ltc_persons_ended ON ltc_persons (relationship_ended_on) WHERE individual_number IS NOT NULL;
CREATE TABLE IF NOT EXISTS ltc_number_deletions (
    person_id BIGINT PRIMARY KEY,
    addressee_number BIGINT NOT NULL,
    relationship_ended_on TEXT NOT NULL,
    deleted_on TEXT NOT NULL,
    logged BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS ltc_feed_outbox (
    seq $auto_id$,
    addressee_number BIGINT NOT NULL,
    changed_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ltc_insured (
    person_id BIGINT PRIMARY KEY,
    category BIGINT NOT NULL,
    qualified_on TEXT NOT NULL,
    lost_on TEXT NULL,
    care_level BIGINT NOT NULL,
    fiscal_year BIGINT NOT NULL,
    premium_stage BIGINT NULL,
    annual_premium BIGINT NOT NULL);
-- NationalHealthInsurance
CREATE TABLE IF NOT EXISTS nhi_serials (name TEXT PRIMARY KEY, next_value BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS nhi_persons (
    person_id BIGINT PRIMARY KEY,
    addressee_number BIGINT NOT NULL,
    individual_number BIGINT NULL,
    enrolled_on TEXT NOT NULL,
    relationship_ended_on TEXT NULL,
    number_deleted_on TEXT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS ux_nhi_persons_addressee ON nhi_persons (addressee_number);
CREATE INDEX IF NOT EXISTS ix_nhi_persons_ended ON nhi_persons (relationship_ended_on) WHERE individual_number IS NOT NULL;
CREATE TABLE IF NOT EXISTS nhi_number_deletions (
    person_id BIGINT PRIMARY KEY,
    addressee_number BIGINT NOT NULL,
    relationship_ended_on TEXT NOT NULL,
    deleted_on TEXT NOT NULL,
    logged BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS nhi_feed_outbox (
    seq $auto_id$,
    addressee_number BIGINT NOT NULL,
    changed_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nhi_households (
    nhi_household_id BIGINT PRIMARY KEY,
    household_number TEXT NOT NULL,
    head_person_id BIGINT NOT NULL,
    fiscal_year BIGINT NOT NULL,
    annual_premium BIGINT NOT NULL,
    reduction_percent BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS nhi_members (
    person_id BIGINT PRIMARY KEY,
    nhi_household_id BIGINT NOT NULL,
    qualified_on TEXT NOT NULL,
    lost_on TEXT NULL,
    annual_premium BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_nhi_members_household ON nhi_members (nhi_household_id);
-- PublicAssistance
CREATE TABLE IF NOT EXISTS pa_serials (name TEXT PRIMARY KEY, next_value BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS pa_persons (
    person_id BIGINT PRIMARY KEY,
    addressee_number BIGINT NOT NULL,
    individual_number BIGINT NULL,
    enrolled_on TEXT NOT NULL,
    relationship_ended_on TEXT NULL,
    number_deleted_on TEXT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS ux_pa_persons_addressee ON pa_persons (addressee_number);
CREATE INDEX IF NOT EXISTS ix_pa_persons_ended ON pa_persons (relationship_ended_on) WHERE individual_number IS NOT NULL;
CREATE TABLE IF NOT EXISTS pa_number_deletions (
    person_id BIGINT PRIMARY KEY,
    addressee_number BIGINT NOT NULL,
    relationship_ended_on TEXT NOT NULL,
    deleted_on TEXT NOT NULL,
    logged BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS pa_feed_outbox (
    seq $auto_id$,
    addressee_number BIGINT NOT NULL,
    changed_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pa_cases (
    case_id BIGINT PRIMARY KEY,
    household_number TEXT NOT NULL,
    head_person_id BIGINT NOT NULL,
    started_on TEXT NOT NULL,
    ended_on TEXT NULL,
    aid_types TEXT NOT NULL,
    monthly_amount BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS pa_members (
    person_id BIGINT PRIMARY KEY,
    case_id BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_pa_members_case ON pa_members (case_id);
CREATE TABLE IF NOT EXISTS app_applications (
    id $auto_id$,
    workflow TEXT NOT NULL,
    affair TEXT NOT NULL,
    applicant BIGINT NOT NULL,
    status TEXT NOT NULL,
    received_on TEXT NOT NULL,
    previous_municipality TEXT NULL,
    january_first_municipality TEXT NULL,
    former_insurer TEXT NULL,
    opened_by TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    decision TEXT NULL,
    decided_by TEXT NULL,
    decided_on TEXT NULL,
    decided_with_linkage INTEGER NULL
);
CREATE INDEX IF NOT EXISTS app_applications_workflow ON app_applications (workflow, status);
CREATE INDEX IF NOT EXISTS app_applications_applicant ON app_applications (applicant);
CREATE TABLE IF NOT EXISTS app_members (
    application_id BIGINT NOT NULL,
    position INTEGER NOT NULL,
    addressee BIGINT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (application_id, position)
);
CREATE TABLE IF NOT EXISTS app_attachments (
    application_id BIGINT NOT NULL,
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    replaced_by_step TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (application_id, position)
);
CREATE TABLE IF NOT EXISTS app_linkage_results (
    id $auto_id$,
    application_id BIGINT NOT NULL,
    step TEXT NOT NULL,
    subject BIGINT NOT NULL,
    channel TEXT NOT NULL,
    provider TEXT NULL,
    kind TEXT NOT NULL,
    outcome TEXT NOT NULL,
    refusal_code TEXT NULL,
    message TEXT NULL,
    as_of TEXT NULL,
    copy_version BIGINT NULL,
    network_record_sequence BIGINT NULL,
    party_record_sequence BIGINT NULL,
    request_id TEXT NULL,
    body TEXT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS app_linkage_results_application ON app_linkage_results (application_id, step);
CREATE TABLE IF NOT EXISTS app_e_requests (
    request_id TEXT PRIMARY KEY,
    operation TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response TEXT NULL,
    received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS app_e_evidence (
    submission_id TEXT PRIMARY KEY,
    applicant BIGINT NOT NULL,
    received_at TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    certificate_serial TEXT NOT NULL,
    document TEXT NOT NULL,
    signature TEXT NOT NULL,
    signing_certificate TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS app_e_applications (
    application_id BIGINT PRIMARY KEY,
    submission_id TEXT NOT NULL,
    procedure TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS app_e_applications_submission ON app_e_applications (submission_id);
