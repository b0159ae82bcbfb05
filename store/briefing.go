package store

import (
	"context"
	"time"

	"github.com/briefbot/briefbot/story"
)

// Briefings is what the Discord side persists: stories, channel
// subscriptions, the delivery outbox and seen interactions.
//
// Stories and their deliveries are created by Store.CompleteItem, in the
// same transaction that records a relevant decision, so a crash can neither
// lose a delivery nor create one twice.
type Briefings interface {
	// Stories.

	// Story returns one story with its sources, or ErrNotFound.
	Story(ctx context.Context, id int64) (Story, error)
	// Stories lists stories matching q, with their sources: newest first
	// (by FirstSeen, then ID), or for a Text query best match first (a
	// word in the headline counts more than one in the summary) and newest
	// among equals. Only the newest few hundred matches are ranked, which
	// keeps a search of a word most stories share fast; for news those are
	// the ones wanted. q.Limit must be positive.
	//
	// Text is searched word by word: every word must occur in the headline
	// or summary (a word's endings are ignored for English: "talks" finds
	// "talk"); punctuation and search syntax in it are taken literally, so
	// any text users type is a valid query. Text with no letters or digits
	// matches nothing.
	Stories(ctx context.Context, q StoryQuery) ([]Story, error)
	// RecentStoryItems returns every story an item started or joined at
	// or after since (Story.Updated >= since), by ID, each with all of its
	// items (full story.Item values, by item ID). The pipeline rebuilds its
	// story clusterer from it at start, passing now minus the clusterer's
	// window, so a restart keeps which story each new item joins.
	RecentStoryItems(ctx context.Context, since time.Time) ([]StoryItems, error)
	// StoryMessage returns the ID of the message channelID received for
	// the story (its story delivery, once sent), or ErrNotFound: the
	// poster replies to it when it posts a story that follows this one.
	StoryMessage(ctx context.Context, channelID string, storyID int64) (messageID string, err error)

	// Subscriptions: a channel follows a topic, in real time or as digests.

	// Subscribe creates or replaces the (channel, topic) subscription and
	// returns it as stored (its Outlets and MentionRole too). A paused one is resumed, and the deliveries it
	// held back become due again. Since, LastDigest and ID are kept from an
	// existing subscription; a new one takes them from s (zero Since: no
	// lower bound). An empty Mode means ModeRealtime; ModeDigest needs at
	// least one "HH:MM" DigestTimes entry.
	Subscribe(ctx context.Context, s Subscription) (Subscription, error)
	// Unsubscribe removes it; false when there was none. Its undelivered
	// story deliveries move to another of the channel's realtime
	// subscriptions that the story matches, or are dropped when none does;
	// its undelivered digests are dropped. What was already sent stays
	// recorded, so subscribing again never reposts a story.
	Unsubscribe(ctx context.Context, channelID, topic string) (bool, error)
	// Subscriptions lists subscriptions matching f, by channel then topic.
	Subscriptions(ctx context.Context, f SubscriptionFilter) ([]Subscription, error)

	// Digests.

	// EnqueueDigest creates the digest delivery for subscription id and the
	// given slot, listing storyIDs, and moves the subscription's LastDigest
	// to slot. It returns false (and does nothing) when that slot, or a
	// later one, was already enqueued, so each digest fires once even with
	// several instances. An empty storyIDs, or a paused subscription,
	// records the slot without a delivery. An unknown subscription or story
	// is ErrNotFound.
	EnqueueDigest(ctx context.Context, subscriptionID int64, slot time.Time, storyIDs []int64) (bool, error)

	// Outbox: one delivery per (channel, story) or (subscription, digest slot).

	// ClaimDeliveries leases up to limit (> 0) due deliveries (pending,
	// NotBefore <= now, not claimed or lease expired, subscription not
	// paused) to owner until now+lease, oldest first, and counts the
	// attempt. Two callers, in one process or several sharing the
	// database, never hold the same delivery at once.
	ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]Delivery, error)
	// DeliverySent records the Discord message ID and ends the delivery.
	// Recording the same message ID again is a no-op (a poster whose lease
	// expired may finish the same nonce-protected send); a different one,
	// or a delivery that already failed, is an error.
	//
	// For a DeliverEdit it records the edit; messageID may then differ
	// from the claimed MessageID (the message was deleted and the story
	// posted anew). Either way, when the story gained an item after the
	// delivery was claimed (a render may have missed it), the delivery
	// stays due, as a DeliverEdit of messageID.
	DeliverySent(ctx context.Context, id int64, messageID string, at time.Time) error
	// DeliveryRetry releases the claim; the delivery is due again at
	// notBefore, with reason as its LastError. A delivery that has already
	// ended (sent or failed) is left as it is.
	DeliveryRetry(ctx context.Context, id int64, notBefore time.Time, reason string) error
	// DeliveryFailed ends the delivery for good and pauses every
	// subscription in its channel with reason, shown by /subscriptions: a
	// permanent error (unknown channel, missing access) is about the
	// channel. The channel's other deliveries wait, unclaimable, until
	// Subscribe resumes it. A delivery already sent stays sent.
	//
	// For a DeliverEdit, DeliveryFailed and DeliveryDropped give up the
	// edit only: the delivery is sent again, with its message, and a later
	// join asks for a new edit.
	DeliveryFailed(ctx context.Context, id int64, reason string, at time.Time) error
	// DeliveryDropped ends the delivery for good without pausing anything:
	// for a message Discord refuses for what it is (a 400 for this
	// payload) or that kept failing while the channel works. LastError
	// keeps reason. A delivery already sent stays sent.
	DeliveryDropped(ctx context.Context, id int64, reason string, at time.Time) error

	// Interactions.

	// ClaimInteraction returns true the first time an interaction ID is
	// seen, so an interaction delivered twice is answered once. IDs are
	// remembered for a day after at, far longer than Discord redelivers.
	ClaimInteraction(ctx context.Context, id string, at time.Time) (bool, error)
}

// Story is one event as briefbot tells it, with every source that carried it.
type Story struct {
	ID        int64
	Headline  string // the title of the item that best stands for the story (at first, the first item's)
	Summary   string
	Link      string // the canonical link of the item that best stands for the story (at first, the first item's)
	Published time.Time
	FirstSeen time.Time // the first item's decision time; never changes
	Updated   time.Time // the last time an item joined
	Topics    []string
	Subtopics []string
	// Follows is the older story this one continues (a development of the
	// same event, posted as a reply to that story's message); 0 for none.
	Follows int64
	// Sources are the story's items, oldest published first.
	Sources []StorySource
}

// StorySource is one outlet's item in a story.
type StorySource struct {
	ItemID    int64
	Source    string // configured source name
	Title     string
	Link      string
	Published time.Time
}

// StoryQuery selects stories. Zero fields do not filter.
type StoryQuery struct {
	Topic string // stories relevant to this topic
	// Text is a full-text search over headline and summary, then over the
	// article text kept for the story's items (ItemArticles): every word
	// in one page, those stories ranked after every headline or summary
	// match.
	Text  string
	Since time.Time // FirstSeen at or after
	Limit int       // at most this many (required, > 0)
}

// DeliveryMode is how a subscription receives stories.
type DeliveryMode string

const (
	ModeRealtime DeliveryMode = "realtime"
	ModeDigest   DeliveryMode = "digest"
)

// Subscription is a channel following a topic.
type Subscription struct {
	ID        int64
	GuildID   string
	ChannelID string
	Topic     string
	Mode      DeliveryMode
	// DigestTimes are "HH:MM" in Timezone (an IANA name), for ModeDigest.
	DigestTimes []string
	Timezone    string
	// Since: stories first seen before this are never delivered (the
	// subscribe reply shows them as a catch-up instead).
	Since      time.Time
	LastDigest time.Time
	CreatedBy  string // user ID
	// Paused is set after a permanent Discord error (unknown channel,
	// missing access); PausedReason says why in plain words.
	Paused       bool
	PausedReason string
	PausedAt     time.Time
	// Outlets, when not empty, limits the subscription to stories an
	// item of one of these sources (by name) brings.
	Outlets []string
	// MentionRole is a role ID pinged with each realtime story; "" for none.
	MentionRole string
}

// SubscriptionFilter selects subscriptions. Zero fields do not filter.
type SubscriptionFilter struct {
	GuildID   string
	ChannelID string
	Topic     string
	Mode      DeliveryMode
}

// DeliveryKind says what a delivery posts.
type DeliveryKind string

const (
	DeliverStory  DeliveryKind = "story"  // one story message
	DeliverDigest DeliveryKind = "digest" // several stories in one message
	// DeliverEdit is a story delivery already sent whose story has since
	// gained an item: its message (MessageID) is to be edited to show the
	// story as it is now. It is the same delivery, so its ID, channel and
	// story do not change; only ClaimDeliveries reports this kind.
	DeliverEdit DeliveryKind = "edit"
)

// StoryItems is a story's items, for rebuilding the story clusterer.
type StoryItems struct {
	StoryID int64
	Items   []story.Item
}

// Delivery is one message the poster owes a channel.
type Delivery struct {
	ID             int64
	Kind           DeliveryKind
	SubscriptionID int64
	GuildID        string
	ChannelID      string
	Topic          string
	StoryIDs       []int64   // one for DeliverStory; the digest's, in order
	Slot           time.Time // the digest's slot; zero for DeliverStory
	// MessageID is the message a DeliverEdit edits; empty otherwise.
	MessageID string
	// Attempts counts claims so far, this one included; it starts again
	// from zero when a sent delivery comes due for an edit.
	Attempts  int
	NotBefore time.Time // zero until a retry sets it
	LastError string
	Created   time.Time // the decision's or the digest slot's time
	// MentionRole is the subscription's role to ping, for a story or an
	// edit of one; "" for none and for digests.
	MentionRole string
}
