-- The staff API's sessions, in the ward's database so that any instance of the ward API behind a load balancer finds a
-- session opened at another. Only the SHA-256 of a bearer token is kept (a dump of the table yields no usable token).
-- The session's name, role and affairs are those of its last refresh; every request refreshes them from the staff
-- directory. Times are microseconds since the Unix epoch (UTC).
CREATE TABLE staff_api_sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    affairs TEXT NOT NULL,
    chosen_affair TEXT NULL,
    opened_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL);
CREATE INDEX staff_api_sessions_last_seen ON staff_api_sessions (last_seen);
