-- Folded search keys beside each resident's names (Registry/NameSearchKey.cs, docs/search.md): the whole name and the given
-- name, in kanji and in kana. ResidentRegister fills them for existing rows when it opens (and again whenever the folding
-- rules' version changes) and every insert and name change writes them. Search is a prefix range on these indexed columns;
-- SQLite compares text bytewise (BINARY), which is the order the range needs.
ALTER TABLE residents ADD COLUMN search_name TEXT NULL;
ALTER TABLE residents ADD COLUMN search_given_name TEXT NULL;
ALTER TABLE residents ADD COLUMN search_kana TEXT NULL;
ALTER TABLE residents ADD COLUMN search_given_kana TEXT NULL;
CREATE INDEX IF NOT EXISTS ix_residents_search_name ON residents (search_name);
CREATE INDEX IF NOT EXISTS ix_residents_search_given_name ON residents (search_given_name);
CREATE INDEX IF NOT EXISTS ix_residents_search_kana ON residents (search_kana);
CREATE INDEX IF NOT EXISTS ix_residents_search_given_kana ON residents (search_given_kana);
