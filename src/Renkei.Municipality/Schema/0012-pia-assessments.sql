-- Privacy impact assessments themselves (特定個人情報保護評価書) and their workflow: per file, numbered versions (1, 2, 3 …)
-- that go draft → submitted → published (→ superseded when a later version is published); never deleted, never edited after
-- submission. Each keeps the live figures it was made from (対象人数, 取扱者数 of staff and contractors, 重大事故), the
-- inventory version, and what a significant change (重要な変更) is compared against: the file's system, a SHA-256 of the
-- linkage rows touching the file's affairs and the highest contractor record of the file at the time. One published version
-- per file (the partial unique index).
CREATE TABLE pia_assessments (
    id $auto_id$,
    file_code TEXT NOT NULL,
    version INTEGER NOT NULL,
    level TEXT NOT NULL,
    computed_level TEXT NOT NULL,
    status TEXT NOT NULL,
    figures_on TEXT NOT NULL,
    people BIGINT NOT NULL,
    staff_handlers BIGINT NOT NULL,
    contractor_handlers BIGINT NOT NULL,
    serious_incident INTEGER NOT NULL,
    inventory_version TEXT NOT NULL,
    system_code TEXT NOT NULL,
    linkage_fingerprint TEXT NOT NULL,
    contractors_through BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    submitted_by TEXT NULL,
    submitted_at TEXT NULL,
    published_by TEXT NULL,
    published_at TEXT NULL,
    published_on TEXT NULL,
    superseded_at TEXT NULL);
CREATE UNIQUE INDEX ux_pia_assessments_version ON pia_assessments (file_code, version);
CREATE UNIQUE INDEX ux_pia_assessments_published ON pia_assessments (file_code) WHERE status = 'published';
-- 住民意見聴取: the public-comment period of a version (one per version: first and last day, where it was announced) and
-- the comments received in it (the day, a summary without personal data, how it was reflected).
CREATE TABLE pia_comment_periods (
    assessment_id BIGINT PRIMARY KEY,
    from_date TEXT NOT NULL,
    to_date TEXT NOT NULL,
    announced TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL);
CREATE TABLE pia_public_comments (
    id $auto_id$,
    assessment_id BIGINT NOT NULL,
    received_on TEXT NOT NULL,
    summary TEXT NOT NULL,
    reflection TEXT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL);
CREATE INDEX ix_pia_public_comments_assessment ON pia_public_comments (assessment_id);
-- 第三者点検: the reviewing body (e.g. 品川区情報公開・個人情報保護審議会), the day, its findings and result.
CREATE TABLE pia_third_party_reviews (
    id $auto_id$,
    assessment_id BIGINT NOT NULL,
    body TEXT NOT NULL,
    reviewed_on TEXT NOT NULL,
    findings TEXT NOT NULL,
    result TEXT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL);
CREATE INDEX ix_pia_third_party_reviews_assessment ON pia_third_party_reviews (assessment_id);
-- 毎年度の点検: the yearly review of a file (fiscal year April–March, one per file and year): the day, by whom, the result.
CREATE TABLE pia_yearly_reviews (
    id $auto_id$,
    file_code TEXT NOT NULL,
    fiscal_year INTEGER NOT NULL,
    done_on TEXT NOT NULL,
    done_by TEXT NOT NULL,
    result TEXT NOT NULL,
    recorded_at TEXT NOT NULL);
CREATE UNIQUE INDEX ux_pia_yearly_reviews_year ON pia_yearly_reviews (file_code, fiscal_year);
