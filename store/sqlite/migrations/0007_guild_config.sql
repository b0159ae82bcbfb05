-- 0007: what a server configures from Discord (issue 13): its own feeds
-- and topics, and subscriptions limited to some outlets or pinging a role.
-- Conventions as in 0001.

-- A server's feeds. source is the sources row polled for url, shared by
-- every server that added the same URL, so it is fetched once per
-- interval. A source named 'guild:…' serves only the servers listed here
-- for it (see store.GuildSourcePrefix); removing the last row stops its
-- polling, while its items and stories stay.
CREATE TABLE guild_feeds (
    guild_id TEXT NOT NULL CHECK (guild_id <> ''),
    url      TEXT NOT NULL CHECK (url <> ''),
    source   TEXT NOT NULL CHECK (source <> ''),
    outlet   TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT '',
    added_by TEXT NOT NULL DEFAULT '',
    added    TEXT NOT NULL,
    PRIMARY KEY (guild_id, url)
) STRICT;
-- CompleteItem's fan-out: which servers a guild source serves.
CREATE INDEX guild_feeds_source ON guild_feeds (source, guild_id);

-- A server's topics, with the same fields as a topic in the config file.
-- Stories and subscriptions name one by store.GuildTopicKey(guild, name),
-- so two servers' topics of the same name never mix.
CREATE TABLE guild_topics (
    guild_id    TEXT NOT NULL CHECK (guild_id <> ''),
    name        TEXT NOT NULL CHECK (name <> ''),
    description TEXT NOT NULL DEFAULT '',
    include     TEXT NOT NULL DEFAULT '[]',       -- JSON arrays of phrases
    exclude     TEXT NOT NULL DEFAULT '[]',
    require     TEXT NOT NULL DEFAULT '[]',
    created_by  TEXT NOT NULL DEFAULT '',
    created     TEXT NOT NULL,
    PRIMARY KEY (guild_id, name)
) STRICT;

-- outlets: JSON array of source names; [] means every outlet.
-- mention_role: a role ID pinged with each realtime story; '' for none.
ALTER TABLE subscriptions ADD COLUMN outlets TEXT NOT NULL DEFAULT '[]';
ALTER TABLE subscriptions ADD COLUMN mention_role TEXT NOT NULL DEFAULT '';
