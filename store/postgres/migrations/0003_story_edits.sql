-- 0003: one message per story and channel, edited as outlets join
-- (issue 6). The same change as store/sqlite's 0003; conventions as in 0001.
--
-- When an item joins a story, each of the story's sent deliveries goes back
-- to 'pending' with its message_id kept: a pending row with a message_id is
-- an edit of that message, not a new post. edit_rev counts the joins the
-- row was told about; the claim copies it to claimed_rev, so a join that
-- lands while a send or an edit is in flight (after the story was read)
-- leaves the row pending for one more edit instead of being lost.
ALTER TABLE deliveries ADD COLUMN edit_rev    integer NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN claimed_rev integer NOT NULL DEFAULT 0;

-- RecentStoryItems: the stories updated within the clusterer's window.
CREATE INDEX stories_updated ON stories (updated);
