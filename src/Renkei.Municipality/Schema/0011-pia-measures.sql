-- Privacy impact assessment: the protection measures the assessment documents declare, kept as records (seed 000 §5:
-- 研修, 自己点検; issue 16 item 6). Training attendance per staff member (研修), self-inspections of a file (自己点検),
-- and the handling of an incident (対応・再発防止策) beside the incident register of 0009.

CREATE TABLE pia_training (
    id $auto_id$,
    staff_id TEXT NOT NULL,
    course TEXT NOT NULL,
    attended_on TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL);
CREATE INDEX pia_training_staff ON pia_training (staff_id, attended_on);
CREATE TABLE pia_self_inspections (
    id $auto_id$,
    file_code TEXT NOT NULL,
    inspected_on TEXT NOT NULL,
    inspector TEXT NOT NULL,
    result TEXT NOT NULL,
    findings TEXT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL);
CREATE INDEX pia_self_inspections_file ON pia_self_inspections (file_code, inspected_on);
ALTER TABLE pia_incidents ADD COLUMN handling TEXT NULL;
