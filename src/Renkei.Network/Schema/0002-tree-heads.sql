-- The provision records' signed tree heads, kept with the log (issue 19): each head the network signed — size, root,
-- time, signature — so that at start the network checks that the log still extends the last one before signing anew.
CREATE TABLE IF NOT EXISTS net_tree_heads (
    tree_size BIGINT PRIMARY KEY,
    root_hash TEXT NOT NULL,
    signed_at_ms BIGINT NOT NULL,
    signature TEXT NOT NULL);
