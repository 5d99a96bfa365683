-- Version 3: a decision can be corrected (更正). The decision an application carries is always the one in force; each
-- decision it replaced is kept here, whole, with who replaced it, when and why.
CREATE TABLE app_decision_history (
    application_id BIGINT NOT NULL,
    version INTEGER NOT NULL,
    decision TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    superseded_at TEXT NOT NULL,
    superseded_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (application_id, version));
