-- Printed documents (Renkei.Documents): 文書番号 numbered per prefix (the issuing office) per fiscal year; the number each
-- decision notice was given, per decision version (a re-export prints the same number; a 更正 gets a new one); and the certificate issuance ledger (交付記録: who issued
-- what kind for whom, when, at which terminal, in which affair, the requester, copies and fee — never the content).

CREATE TABLE document_numbers (
    prefix TEXT NOT NULL,
    fiscal_year INTEGER NOT NULL,
    last_number BIGINT NOT NULL,
    PRIMARY KEY (prefix, fiscal_year));
CREATE TABLE decision_notice_numbers (
    application_id BIGINT NOT NULL,
    version INTEGER NOT NULL,
    prefix TEXT NOT NULL,
    fiscal_year INTEGER NOT NULL,
    sequence BIGINT NOT NULL,
    numbered_at TEXT NOT NULL,
    PRIMARY KEY (application_id, version));
CREATE TABLE certificate_issuances (
    id $auto_id$,
    kind TEXT NOT NULL,
    resident_id BIGINT NOT NULL,
    issued_at TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    terminal TEXT NOT NULL,
    affair TEXT NULL,
    requester TEXT NOT NULL,
    copies INTEGER NOT NULL,
    fee_yen BIGINT NOT NULL,
    options TEXT NOT NULL);
CREATE INDEX ix_certificate_issuances_resident ON certificate_issuances (resident_id);
