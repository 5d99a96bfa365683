-- Every holder action at the intermediate server with its actor (staff member, terminal, affair): HolderActionLog.
-- IF NOT EXISTS: a database started by the release that added the table before versioned migrations already has it.
CREATE TABLE IF NOT EXISTS intermediate_holder_actions (
    sequence $auto_id$,
    recorded_at TEXT NOT NULL,
    request_id TEXT NULL,
    operation TEXT NOT NULL,
    staff TEXT NOT NULL,
    terminal TEXT NOT NULL,
    affair TEXT NOT NULL,
    addressee_number BIGINT NULL,
    kind TEXT NULL,
    items BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS intermediate_holder_actions_request ON intermediate_holder_actions (request_id);
