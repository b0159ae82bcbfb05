-- 0002: stories, channel subscriptions, the delivery outbox and seen
-- interactions: what the Discord side keeps. Conventions as in 0001.

CREATE TABLE stories (
    id         INTEGER PRIMARY KEY,
    headline   TEXT    NOT NULL,
    summary    TEXT    NOT NULL DEFAULT '',
    link       TEXT    NOT NULL DEFAULT '',
    published  TEXT,
    first_seen TEXT    NOT NULL,                  -- never changes
    updated    TEXT    NOT NULL,
    topics     TEXT    NOT NULL DEFAULT '[]',     -- JSON arrays, in the decision's order
    subtopics  TEXT    NOT NULL DEFAULT '[]'
) STRICT;

-- /latest without a topic: newest first.
CREATE INDEX stories_first_seen ON stories (first_seen, id);

-- Which stories a topic has, for /latest and /topic. first_seen is copied
-- here (it never changes) so "a topic's newest stories" is one index range,
-- read backwards, however many stories other topics have.
CREATE TABLE story_topics (
    topic      TEXT    NOT NULL,
    first_seen TEXT    NOT NULL,
    story_id   INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    PRIMARY KEY (topic, first_seen, story_id)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX story_topics_story ON story_topics (story_id, topic);

-- An item belongs to at most one story; a story has one or more items.
CREATE TABLE story_items (
    item_id  INTEGER PRIMARY KEY REFERENCES items (id),
    story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE
) STRICT;
CREATE INDEX story_items_story ON story_items (story_id);

-- Full-text search over headline and summary for /topic. External content:
-- the text lives once, in stories; triggers keep the index in step inside
-- the same transaction. Porter stemming makes "talks" find "talk";
-- unicode61 splits any script on its separators and folds diacritics.
CREATE VIRTUAL TABLE stories_fts USING fts5 (
    headline, summary,
    content = 'stories', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER stories_fts_insert AFTER INSERT ON stories BEGIN
    INSERT INTO stories_fts (rowid, headline, summary) VALUES (new.id, new.headline, new.summary);
END;
CREATE TRIGGER stories_fts_delete AFTER DELETE ON stories BEGIN
    INSERT INTO stories_fts (stories_fts, rowid, headline, summary) VALUES ('delete', old.id, old.headline, old.summary);
END;
CREATE TRIGGER stories_fts_update AFTER UPDATE OF headline, summary ON stories BEGIN
    INSERT INTO stories_fts (stories_fts, rowid, headline, summary) VALUES ('delete', old.id, old.headline, old.summary);
    INSERT INTO stories_fts (rowid, headline, summary) VALUES (new.id, new.headline, new.summary);
END;

CREATE TABLE subscriptions (
    id            INTEGER PRIMARY KEY,
    guild_id      TEXT    NOT NULL DEFAULT '',
    channel_id    TEXT    NOT NULL CHECK (channel_id <> ''),
    topic         TEXT    NOT NULL CHECK (topic <> ''),
    mode          TEXT    NOT NULL CHECK (mode IN ('realtime', 'digest')),
    digest_times  TEXT    NOT NULL DEFAULT '[]',  -- JSON array of "HH:MM"
    timezone      TEXT    NOT NULL DEFAULT '',
    since         TEXT,                           -- NULL: no lower bound
    last_digest   TEXT,
    created_by    TEXT    NOT NULL DEFAULT '',
    paused        INTEGER NOT NULL DEFAULT 0,
    paused_reason TEXT    NOT NULL DEFAULT '',
    paused_at     TEXT,
    UNIQUE (channel_id, topic)
) STRICT;
-- CompleteItem's fan-out: the realtime subscribers of a topic.
CREATE INDEX subscriptions_topic ON subscriptions (topic, mode);
-- /subscriptions for a whole server.
CREATE INDEX subscriptions_guild ON subscriptions (guild_id, channel_id, topic);

-- The outbox. A story delivery is unique per (channel, story) and a digest
-- per (subscription, slot): the keys that make posting exactly-once. Rows
-- stay after they end, so a story a channel received is never queued for
-- it again, and (later) its message can be edited.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('story', 'digest')),
    -- NULL once the subscription is gone (only ended rows outlive it).
    subscription_id INTEGER REFERENCES subscriptions (id) ON DELETE SET NULL,
    guild_id        TEXT    NOT NULL DEFAULT '',
    channel_id      TEXT    NOT NULL,
    topic           TEXT    NOT NULL,
    story_id        INTEGER REFERENCES stories (id),  -- kind 'story' only
    slot            TEXT,                             -- kind 'digest' only
    story_ids       TEXT    NOT NULL,                 -- JSON array, in order
    state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    message_id      TEXT    NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,       -- claims so far
    not_before      TEXT,                             -- NULL: due at once
    claimed_by      TEXT    NOT NULL DEFAULT '',
    lease_until     TEXT,                             -- NULL: not claimed
    last_error      TEXT    NOT NULL DEFAULT '',
    created         TEXT    NOT NULL,
    ended_at        TEXT,                             -- when sent or failed
    CHECK (CASE kind WHEN 'story' THEN story_id IS NOT NULL AND slot IS NULL
                     ELSE slot IS NOT NULL AND story_id IS NULL END),
    UNIQUE (channel_id, story_id),
    UNIQUE (subscription_id, slot)
) STRICT;
-- The poster's queue: small, because deliveries leave it once they end.
CREATE INDEX deliveries_pending ON deliveries (id) WHERE state = 'pending';
CREATE INDEX deliveries_subscription ON deliveries (subscription_id);
-- A story's messages in every channel, for when it changes (issue 6).
CREATE INDEX deliveries_story ON deliveries (story_id) WHERE story_id IS NOT NULL;

-- Interaction IDs already answered; old ones are pruned as new ones arrive.
CREATE TABLE interactions (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX interactions_at ON interactions (at);
