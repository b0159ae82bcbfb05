-- 0009: what briefbot read of items' article pages, by canonical link:
-- the article's text, or why the feed's teaser was used instead (robots.txt,
-- a paywall, a fetch failure...). One row per relevant link; the text is
-- the extracted article, tens of kilobytes at most. Conventions as in 0001.
CREATE TABLE item_articles (
    link    TEXT PRIMARY KEY,
    origin  TEXT NOT NULL CHECK (origin IN ('article', 'teaser')),
    reason  TEXT NOT NULL,
    detail  TEXT NOT NULL,
    words   INTEGER NOT NULL,
    body    TEXT NOT NULL,
    fetched TEXT NOT NULL
) STRICT;
