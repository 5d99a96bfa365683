-- Version 2: the register feeds its intermediate server by itself.
-- register_copy_outbox: a household whose 住民票関係情報 copies must be (re)sent, written in the same transaction as the
-- register event or import batch that touched it. The copy feed sends the household's copies and then moves its cursor
-- past the row, so a crash resends (at least once) and the intermediate server's versions keep a resend from doubling.
CREATE TABLE register_copy_outbox (
    id $auto_id$,
    household_number TEXT NOT NULL,
    enqueued_at TEXT NOT NULL);
-- How far each feed has sent: 'register' (the outbox id) or a business system's code (its change sequence).
CREATE TABLE copy_feed_cursors (
    feed TEXT PRIMARY KEY,
    sent_through BIGINT NOT NULL,
    updated_at TEXT NOT NULL);
-- 転出先市町村: the destination's local government code when a departure names one.
ALTER TABLE residents ADD COLUMN moved_out_to_code TEXT NULL;
-- Full resends asked for (renkei feed run, e.g. monthly after the tax assessment): the running ward service's copy feed
-- takes each pending run, sends every copy, and records when it finished and how many copies it sent.
CREATE TABLE copy_feed_runs (
    id $auto_id$,
    requested_at TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    finished_at TEXT NULL,
    copies_sent BIGINT NULL);
