-- 0009: what briefbot read of items' article pages, by canonical link. The
-- same table as store/sqlite's 0009; conventions as in 0001.
CREATE TABLE item_articles (
    link    text        PRIMARY KEY,
    origin  text        NOT NULL CHECK (origin IN ('article', 'teaser')),
    reason  text        NOT NULL,
    detail  text        NOT NULL,
    words   integer     NOT NULL,
    body    text        NOT NULL,
    fetched timestamptz NOT NULL
);
