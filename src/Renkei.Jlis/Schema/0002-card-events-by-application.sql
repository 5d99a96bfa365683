-- A card's history (CardStore.Events) reads card_events by card number OR application id; only the card number had an
-- index, so every lookup scanned the whole event table. With both indexed, both engines answer the OR from the indexes.
CREATE INDEX card_events_application ON card_events (application_id);
