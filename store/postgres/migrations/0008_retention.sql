-- 0008: hold under months of running (issue 14). Conventions as in 0001.
--
-- A source's warning is a health note about a poll that succeeded but
-- looked wrong ("no items found", "new items capped"): '' when the last
-- poll was normal.
ALTER TABLE sources ADD COLUMN warning    text NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN warning_at timestamptz;

-- Retention (store.Store.Prune) strips the text of old items but keeps
-- their rows, whose (source, key) and (source, link) are what stop an old
-- item from ever being posted again. This index finds the ones still to
-- strip without scanning those already stripped.
CREATE INDEX items_unpruned ON items (fetched)
    WHERE state <> 'pending' AND (title <> '' OR description <> '' OR content <> '');

-- Digest deliveries are deleted by age; story deliveries only with their
-- story, since a sent one is what stops the story being posted twice.
CREATE INDEX deliveries_digest_age ON deliveries ((coalesce(ended_at, created)))
    WHERE kind = 'digest';

CREATE INDEX summary_cache_created ON summary_cache (created);
