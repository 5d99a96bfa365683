-- Batch items claimed through the database (issue 18): several network instances serving one database each take pending
-- items with a short lease — which instance holds the item (claimed_by, an id per running instance) and until when
-- (claimed_until, microseconds since the Unix epoch) — so a live instance's items are skipped by the others and a dead
-- instance's lapse and are taken over. NULL: never claimed, or let go.
ALTER TABLE net_batch_items ADD COLUMN claimed_by TEXT NULL;
ALTER TABLE net_batch_items ADD COLUMN claimed_until BIGINT NULL;
