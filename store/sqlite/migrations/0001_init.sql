-- 0001: sources with their polling state, and the items they yielded.
--
-- Conventions for every migration in this directory:
--   * times are TEXT, UTC, fixed width 'YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ', so
--     they sort as strings, round-trip to the nanosecond and stay readable
--     in the sqlite3 shell; NULL means "never" / "unknown";
--   * durations are INTEGER nanoseconds;
--   * tables are STRICT so a wrongly typed value is an error, not a surprise.

CREATE TABLE sources (
    name          TEXT    PRIMARY KEY,            -- configured name, the stable key
    url           TEXT    NOT NULL,
    etag          TEXT    NOT NULL DEFAULT '',    -- validators from the last 200
    last_modified TEXT    NOT NULL DEFAULT '',
    primed        INTEGER NOT NULL DEFAULT 0,     -- 1 after the first successful poll
    last_poll     TEXT,
    last_success  TEXT,
    last_error_at TEXT,
    last_error    TEXT    NOT NULL DEFAULT '',    -- kept after recovery, as history
    failures      INTEGER NOT NULL DEFAULT 0,     -- consecutive; 0 after a success
    items_seen    INTEGER NOT NULL DEFAULT 0,
    last_item_lag INTEGER NOT NULL DEFAULT 0      -- nanoseconds
) STRICT;

CREATE TABLE items (
    id          INTEGER PRIMARY KEY,
    source      TEXT    NOT NULL REFERENCES sources (name),
    key         TEXT    NOT NULL CHECK (key <> ''),
    guid        TEXT    NOT NULL DEFAULT '',
    link        TEXT    NOT NULL DEFAULT '',      -- '' for link-less items
    title       TEXT    NOT NULL DEFAULT '',
    description TEXT    NOT NULL DEFAULT '',
    content     TEXT    NOT NULL DEFAULT '',
    author      TEXT    NOT NULL DEFAULT '',
    language    TEXT    NOT NULL DEFAULT '',
    published   TEXT,
    fetched     TEXT    NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('pending', 'seen', 'done')),
    decision    TEXT,                             -- JSON, set once state is 'done'
    UNIQUE (source, key)
) STRICT;

-- An item whose GUID changed but whose link we already have is the same
-- article: the link is a second identity within a source. Empty links are
-- not identities, hence the partial index.
CREATE UNIQUE INDEX items_source_link ON items (source, link) WHERE link <> '';

-- The pipeline's queue: small, because items leave it once processed.
CREATE INDEX items_pending ON items (fetched, id) WHERE state = 'pending';

-- /why looks articles up by link across sources.
CREATE INDEX items_link ON items (link) WHERE link <> '';
