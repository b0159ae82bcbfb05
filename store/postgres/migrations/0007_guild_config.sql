-- 0007: what a server configures from Discord (issue 13): its own feeds
-- and topics, and subscriptions limited to some outlets or pinging a role.
-- The same tables as store/sqlite's 0007; conventions as in 0001.

-- A server's feeds. source is the sources row polled for url, shared by
-- every server that added the same URL, so it is fetched once per
-- interval. A source named 'guild:…' serves only the servers listed here
-- for it (see store.GuildSourcePrefix); removing the last row stops its
-- polling, while its items and stories stay.
CREATE TABLE guild_feeds (
    guild_id text        NOT NULL CHECK (guild_id <> ''),
    url      text        NOT NULL CHECK (url <> ''),
    source   text        NOT NULL CHECK (source <> ''),
    outlet   text        NOT NULL DEFAULT '',
    language text        NOT NULL DEFAULT '',
    added_by text        NOT NULL DEFAULT '',
    added    timestamptz NOT NULL,
    PRIMARY KEY (guild_id, url)
);
-- CompleteItem's fan-out: which servers a guild source serves.
CREATE INDEX guild_feeds_source ON guild_feeds (source, guild_id);

-- A server's topics, with the same fields as a topic in the config file.
-- Stories and subscriptions name one by store.GuildTopicKey(guild, name),
-- so two servers' topics of the same name never mix.
CREATE TABLE guild_topics (
    guild_id    text        NOT NULL CHECK (guild_id <> ''),
    name        text        NOT NULL CHECK (name <> ''),
    description text        NOT NULL DEFAULT '',
    include     text[]      NOT NULL DEFAULT '{}',
    exclude     text[]      NOT NULL DEFAULT '{}',
    require     text[]      NOT NULL DEFAULT '{}',
    created_by  text        NOT NULL DEFAULT '',
    created     timestamptz NOT NULL,
    PRIMARY KEY (guild_id, name)
);

-- outlets: source names; empty means every outlet.
-- mention_role: a role ID pinged with each realtime story; '' for none.
ALTER TABLE subscriptions ADD COLUMN outlets text[] NOT NULL DEFAULT '{}';
ALTER TABLE subscriptions ADD COLUMN mention_role text NOT NULL DEFAULT '';
