-- 印鑑登録 (seal registration; 品川区印鑑条例 in spirit), a part of the register: one current registration per resident
-- (the partial unique index), the 印鑑登録証 number (unique per ward, never reused: numbers come from the counter
-- 'seal-card' in register_counters and rows are never deleted), the day, who registered it at which terminal, how the
-- applicant's identity was checked (本人確認), the seal image as stored bytes with its type and the printed side in mm,
-- and the abolition (廃止: day, reason, by whom). The register ends a registration itself on a departure or a death.
CREATE TABLE seal_registrations (
    id $auto_id$,
    resident_id BIGINT NOT NULL,
    card_number TEXT NOT NULL UNIQUE,
    registered_on TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    terminal TEXT NOT NULL,
    identity_check TEXT NOT NULL,
    image $bytes$ NOT NULL,
    image_type TEXT NOT NULL,
    side_mm INTEGER NOT NULL,
    abolished_on TEXT NULL,
    abolished_at TEXT NULL,
    abolition_reason TEXT NULL,
    abolished_by TEXT NULL);
CREATE UNIQUE INDEX ux_seal_registrations_current ON seal_registrations (resident_id) WHERE abolished_on IS NULL;
CREATE INDEX ix_seal_registrations_resident ON seal_registrations (resident_id);
