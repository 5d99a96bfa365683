-- The certificate-signing CA (docs/paper.md): its root certificate, CRL number and current CRL, and every certificate it
-- issued to a ward for the key that signs the 2D code on that ward's certificates (the certificate itself is public and kept).
CREATE TABLE IF NOT EXISTS paper_authority (
    name TEXT PRIMARY KEY, -- root
    certificate $bytes$ NOT NULL,
    crl_number BIGINT NOT NULL,
    crl $bytes$ NULL,
    crl_next_update TEXT NULL);
CREATE TABLE IF NOT EXISTS paper_certificates (
    serial TEXT PRIMARY KEY, -- upper-case hexadecimal
    municipality_code TEXT NOT NULL,
    status TEXT NOT NULL, -- good, revoked
    not_before TEXT NOT NULL,
    not_after TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    revoked_at TEXT NULL,
    revocation_reason TEXT NULL,
    certificate $bytes$ NOT NULL);
CREATE INDEX IF NOT EXISTS paper_certificates_municipality ON paper_certificates (municipality_code, status);
