-- 0011: /topic searches the article text briefbot kept (issue 16), not
-- only headlines and summaries. Conventions as in 0001.
--
-- The index is external-content, as stories_fts (0002): the text lives
-- once, in item_articles.body, and triggers keep the index in step in the
-- same transaction, so retention deleting a page drops its words too.
-- External content needs a rowid that never changes, and VACUUM may
-- renumber the implicit rowid of a table whose key is text: so the table
-- is rebuilt with an INTEGER PRIMARY KEY, the link staying unique. The
-- ID also orders pages newest first, as a story's ID does for stories.
CREATE TABLE item_articles_new (
    id      INTEGER PRIMARY KEY,
    link    TEXT NOT NULL UNIQUE,
    origin  TEXT NOT NULL CHECK (origin IN ('article', 'teaser')),
    reason  TEXT NOT NULL,
    detail  TEXT NOT NULL,
    words   INTEGER NOT NULL,
    body    TEXT NOT NULL,    -- '' when the teaser was used
    fetched TEXT NOT NULL
) STRICT;
INSERT INTO item_articles_new (link, origin, reason, detail, words, body, fetched)
    SELECT link, origin, reason, detail, words, body, fetched FROM item_articles ORDER BY fetched, link;
DROP TABLE item_articles;
ALTER TABLE item_articles_new RENAME TO item_articles;

-- The same tokenizer as stories_fts, so a word matches alike in both.
CREATE VIRTUAL TABLE item_articles_fts USING fts5 (
    body,
    content = 'item_articles', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER item_articles_fts_insert AFTER INSERT ON item_articles BEGIN
    INSERT INTO item_articles_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER item_articles_fts_delete AFTER DELETE ON item_articles BEGIN
    INSERT INTO item_articles_fts (item_articles_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER item_articles_fts_update AFTER UPDATE OF body ON item_articles BEGIN
    INSERT INTO item_articles_fts (item_articles_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO item_articles_fts (rowid, body) VALUES (new.id, new.body);
END;
-- The pages stored before this migration.
INSERT INTO item_articles_fts (item_articles_fts) VALUES ('rebuild');
