-- Privacy impact assessment (特定個人情報保護評価): what the live figures need besides the register and the business systems.
-- Contractors (外部委託先) who handle a specific-personal-information file and how many of their people do (取扱者数), and the
-- incident register (重大事故: date, file, what happened, whether serious, whether reported to the commission).

CREATE TABLE pia_contractors (
    id $auto_id$,
    file_code TEXT NOT NULL,
    company TEXT NOT NULL,
    handlers INTEGER NOT NULL,
    from_date TEXT NOT NULL,
    to_date TEXT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL);
CREATE INDEX pia_contractors_file ON pia_contractors (file_code);
CREATE TABLE pia_incidents (
    id $auto_id$,
    file_code TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    description TEXT NOT NULL,
    serious INTEGER NOT NULL,
    reported INTEGER NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL);
CREATE INDEX pia_incidents_file ON pia_incidents (file_code, occurred_on);
