package store

import (
	"context"
	"errors"
	"strings"
	"time"
)

// GuildSourcePrefix starts the name of every source a server added from
// Discord. Such a source serves only the servers whose GuildFeeds name it;
// every other source (the operator's) serves every server.
const GuildSourcePrefix = "guild:"

// GuildTopicKey is the topic name a server's own topic is stored, judged
// and subscribed under: "<guild>/<name>", so that two servers' topics of
// the same name never mix and config topics (which cannot contain "/")
// never collide with them.
func GuildTopicKey(guildID, name string) string { return guildID + "/" + name }

// SplitGuildTopicKey undoes GuildTopicKey; ok is false for a config topic.
func SplitGuildTopicKey(key string) (guildID, name string, ok bool) {
	guildID, name, ok = strings.Cut(key, "/")
	return guildID, name, ok && guildID != "" && name != ""
}

// ErrLimit is returned, wrapped, when a server has as many feeds as it
// may have.
var ErrLimit = errors.New("store: limit reached")

// GuildConfig is what servers configure from Discord: their feeds and
// topics.
type GuildConfig interface {
	// AddGuildFeed adds f to its server's feeds, or updates the outlet and
	// language of the server's feed with the same URL, and returns it as
	// stored. A new feed beyond max for the server is an error wrapping
	// ErrLimit (max <= 0: no limit). f.Source names the source polled for
	// it; it must start with GuildSourcePrefix, and a URL another server
	// added keeps that server's source, so it is fetched once.
	AddGuildFeed(ctx context.Context, f GuildFeed, max int) (GuildFeed, error)
	// RemoveGuildFeed removes the server's feed for url; false when there
	// was none. The source's items and stories stay.
	RemoveGuildFeed(ctx context.Context, guildID, url string) (bool, error)
	// GuildFeeds lists a server's feeds by URL, or every server's (by
	// server, then URL) when guildID is empty.
	GuildFeeds(ctx context.Context, guildID string) ([]GuildFeed, error)

	// SaveGuildTopic creates or replaces the server's topic of that name.
	SaveGuildTopic(ctx context.Context, t GuildTopic) error
	// DeleteGuildTopic removes it; false when there was none. Its stories
	// and subscriptions stay (a subscription to a deleted topic receives
	// nothing more).
	DeleteGuildTopic(ctx context.Context, guildID, name string) (bool, error)
	// GuildTopics lists a server's topics by name, or every server's when
	// guildID is empty.
	GuildTopics(ctx context.Context, guildID string) ([]GuildTopic, error)
}

// GuildFeed is a feed a server added with /feeds add.
type GuildFeed struct {
	GuildID  string
	URL      string
	Source   string // the polled source's name (GuildSourcePrefix…)
	Outlet   string // display name; the feed's title when not given
	Language string // overrides the feed's declared language when set
	AddedBy  string // user ID
	Added    time.Time
}

// GuildTopic is a topic a server created with /topics create; the fields
// mean what they mean in the config file's topics.
type GuildTopic struct {
	GuildID     string
	Name        string
	Description string
	Include     []string
	Exclude     []string
	Require     []string
	CreatedBy   string
	Created     time.Time
}
