-- 0005: a later development of an event (issue 6). Conventions as in 0001.
--
-- follows is the older story a new story continues: the same event, come
-- back after the clusterer's fresh period. The poster sends the new story
-- as a reply to the message each channel got for that story. 0: none. Not a
-- foreign key: it is a hint for the poster, and a story never points at a
-- newer one.
ALTER TABLE stories ADD COLUMN follows INTEGER NOT NULL DEFAULT 0;
