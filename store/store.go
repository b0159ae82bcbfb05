// Package store defines briefbot's persistence: the Store interface, the
// records it keeps and the errors callers test for.
// Implementations live in subpackages (store/sqlite; store/postgres later)
// and are all held to the same contract suite in store/storetest.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/briefbot/briefbot/story"
)

// Errors callers test for with errors.Is.
var (
	ErrNotFound = errors.New("store: not found")
	// ErrSchemaTooNew means the database was migrated by a newer briefbot.
	// Implementations return it wrapped in a *SchemaTooNewError.
	ErrSchemaTooNew = errors.New("store: database schema is newer than this briefbot understands")
)

// SchemaTooNewError says which database is too new and by how much, so the
// user knows to upgrade briefbot rather than suspect a corrupt file.
// errors.Is(err, ErrSchemaTooNew) holds for it.
type SchemaTooNewError struct {
	// Database names the database for people: a file path, or a URL
	// without its password.
	Database string
	// Version is the database's schema version; Known is the newest this
	// build can migrate to.
	Version, Known int
}

func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("database at %s has schema version %d; this briefbot knows up to %d: upgrade briefbot",
		e.Database, e.Version, e.Known)
}

// Unwrap makes errors.Is(err, ErrSchemaTooNew) true.
func (e *SchemaTooNewError) Unwrap() error { return ErrSchemaTooNew }

// Store is everything briefbot persists. Methods are safe for concurrent use.
// Times come back in UTC; methods that name a source, item, story,
// subscription or delivery that does not exist return an error wrapping
// ErrNotFound.
type Store interface {
	Briefings
	SummaryCache
	GuildConfig

	// Sources and their polling state.

	// EnsureSource creates the source's row if missing and updates its URL.
	// A changed URL is a different feed: its validators are cleared, its
	// failure count reset and it is primed again, so the new feed's backlog
	// is recorded as seen instead of posted.
	EnsureSource(ctx context.Context, name, url string) error
	// Source returns one source's state, or ErrNotFound.
	Source(ctx context.Context, name string) (SourceState, error)
	// Sources returns every known source, ordered by name.
	Sources(ctx context.Context) ([]SourceState, error)
	// RecordPoll stores a successful poll atomically: items whose identity
	// (key, or link within the same source) is not yet known are inserted,
	// in the pending state when NewItem.Pending is set and as seen otherwise,
	// and the source's validators and health are updated. It returns the
	// inserted items with their IDs, pending ones first in input order.
	//
	// Details: an item with an empty Source gets source, one with a zero
	// Fetched gets p.At; an item with an empty Key or another source's name
	// is an error and nothing is stored. Duplicates within p.Items are
	// resolved the same way, the first one winning. The source becomes primed, its failure count drops to zero (LastError
	// is kept as history), ItemsSeen grows by the number inserted and
	// LastItemLag is taken from the newest inserted pending item. A
	// NotModified poll keeps the stored validators unless it carries new ones
	// (a 304 may update them) and must have no items.
	RecordPoll(ctx context.Context, source string, p Poll) (inserted []story.Item, err error)
	// RecordFailure notes a failed poll and returns the consecutive failure
	// count. Validators and Primed are untouched.
	RecordFailure(ctx context.Context, source string, at time.Time, reason string) (failures int, err error)
	// SetSourceWarning replaces the source's Warning (and WarningAt, at);
	// "" clears both. An unknown source is ErrNotFound.
	SetSourceWarning(ctx context.Context, source, warning string, at time.Time) error
	// Prune deletes and strips what r says is past retention, in batches
	// short enough not to hold up polls, and says how much.
	Prune(ctx context.Context, r Retention) (Pruned, error)

	// Items flowing through the pipeline.

	// PendingItems returns up to limit (> 0) items awaiting processing,
	// oldest Fetched first, ties in the order they were recorded.
	PendingItems(ctx context.Context, limit int) ([]story.Item, error)
	// CompleteItem records the pipeline's decision for a pending item, which
	// becomes ItemDone. Completing a done item again replaces its decision;
	// completing a seen item is an error, since seen items are never emitted.
	//
	// A relevant decision also puts the item in a story, in the same
	// transaction: a new story (headline the item's title, summary
	// d.Summary, link and published time the item's, FirstSeen d.At, topics
	// and subtopics the decision's), or the existing story d.StoryID names,
	// whose headline, link and summary d's story fields may replace.
	// Each channel with a non-paused realtime subscription to one of
	// d.Topics and Since <= the story's FirstSeen gets one pending story
	// delivery, however many of its topics match, and never a second one
	// for the same story. So a crash loses or duplicates no delivery.
	// Subscriptions limited to Outlets get it only when the item's source
	// is one of them, and an item of a GuildSourcePrefix source reaches
	// only the servers whose GuildFeeds name that source. An
	// item already in a story stays there: completing it again changes no
	// story and creates no delivery.
	//
	// Joining an existing story also makes each of its story deliveries
	// that was already sent to a still-subscribed channel owe that channel
	// an edit: the delivery is due again, claimed as a DeliverEdit naming
	// the message, so the message gains the outlet instead of a second
	// post. Joins before the edit is made coalesce into one edit; a
	// delivery not yet sent owes nothing, since it renders the story as it
	// is when sent.
	CompleteItem(ctx context.Context, id int64, d Decision) error
	// UpdateStorySummary replaces a story's summary, for a better one
	// written after the story was posted (a model's, arriving late). When
	// summary differs from the story's, the story's Updated becomes at
	// (if later) and its deliveries owe their channels an edit exactly as
	// when an item joins (see CompleteItem); an unchanged summary changes
	// nothing. An empty summary or zero at is an error; a story that does
	// not exist is ErrNotFound.
	UpdateStorySummary(ctx context.Context, storyID int64, summary string, at time.Time) error
	// Item returns one item with its state and decision (Decision.StoryID
	// is the story it is in), or ErrNotFound. The pipeline reads the story
	// a relevant item started this way.
	Item(ctx context.Context, id int64) (StoredItem, error)
	// ItemByLink finds an item by its canonical link, or ErrNotFound. When
	// several sources carried the link, the most advanced one answers (done,
	// then pending, then seen), the earliest recorded among equals.
	ItemByLink(ctx context.Context, link string) (StoredItem, error)

	// Leases split work between instances sharing the database.

	// Lease gives owner the named lease until until, unless another owner
	// holds it past now; the owner that holds it may extend or shorten it.
	// It reports whether owner holds the lease now and until when it, or
	// the other holder, does, so a caller turned away knows when to come
	// back (heldUntil may be past when another owner was taking the lease
	// at that very moment: come back shortly). Two owners never both hold
	// a lease that has not expired. The poller leases each source's polls
	// ("poll:" + name) and the pipeline its single writer ("pipeline").
	// An empty name or owner, or until not after now, is an error.
	Lease(ctx context.Context, name, owner string, now, until time.Time) (held bool, heldUntil time.Time, err error)
	// ReleaseLease ends owner's lease on name at once (a clean shutdown),
	// so another instance need not wait for it to expire. A lease another
	// owner holds, or none, is left alone.
	ReleaseLease(ctx context.Context, name, owner string) error

	// Ping checks the database is reachable.
	Ping(ctx context.Context) error
	// Close waits for in-flight writes and releases the database. Calling it
	// again does nothing; other methods fail after it.
	Close() error
}

// SourceState is what the store knows about a source.
type SourceState struct {
	Name string
	URL  string
	// ETag and LastModified are the validators from the last 200 response.
	ETag         string
	LastModified string
	// Primed is set after the first successful poll; until then items are
	// recorded as seen rather than posted, so a new source does not flood.
	Primed      bool
	LastPoll    time.Time
	LastSuccess time.Time
	LastErrorAt time.Time
	// LastError is in words a user understands ("HTTP 404", "timed out after 20s").
	LastError string
	// Failures counts consecutive failed polls; zero after a success.
	Failures  int
	ItemsSeen int64
	// LastItemLag is how late the newest new item reached us (fetched - published).
	LastItemLag time.Duration
	// Warning is a note on a poll that succeeded but looked wrong ("no
	// items found"), in words for the health view; "" when all is well.
	// WarningAt is when it was set.
	Warning   string
	WarningAt time.Time
	// PollInterval is the source's polling interval as the poller last set
	// it, and PollReason why (zero and "" before its first poll).
	PollInterval time.Duration
	PollReason   string
}

// Poll is the outcome of one successful fetch of a source.
type Poll struct {
	At time.Time
	// NotModified is set for a 304: no items; empty validators mean
	// "unchanged", non-empty ones replace the stored ones.
	NotModified  bool
	ETag         string
	LastModified string
	Items        []NewItem
	// MaxPending, when positive, caps how many inserted items are pending:
	// past it, items marked Pending are inserted as seen (the first
	// MaxPending in input order stay pending), so one poll cannot flood
	// the pipeline. They are returned among the seen ones.
	MaxPending int
	// Interval and IntervalReason are the poller's interval for the source
	// and why, for `briefbot sources`; a zero Interval keeps the stored one.
	Interval       time.Duration
	IntervalReason string
	// Keep, when its Name is set, is a lease taken in the same
	// transaction, exactly as Lease(Keep.Name, Keep.Owner, At, Keep.Until)
	// would: the poller keeps a source's poll lease until its next poll
	// is due, and one write per poll does both. A lease another owner
	// holds is left alone and the poll is recorded all the same.
	Keep LeaseKeep
}

// LeaseKeep is a lease a RecordPoll takes with the poll (see Poll.Keep).
type LeaseKeep struct {
	Name, Owner string
	Until       time.Time
}

// Retention says what Prune removes: what was last touched before each
// cutoff. A zero cutoff keeps everything of its kind.
type Retention struct {
	// Stories not updated since StoriesBefore are deleted with their story
	// deliveries (a sent one is what stops a story being posted twice, so
	// it goes only with its story); items fetched before it, except pending
	// ones, lose their title, description, content and author but keep
	// their row (an item in no story may get a new ID), whose
	// identity (source and key, source and link) stops them being posted
	// again; cached summaries and article pages read before it are
	// deleted.
	StoriesBefore time.Time
	// Digest deliveries that ended (or, never ended, were created) before
	// DeliveriesBefore are deleted.
	DeliveriesBefore time.Time
}

// Pruned counts what Prune removed.
type Pruned struct {
	Stories, Deliveries, ItemsStripped, Summaries, Articles int64
}

// NewItem is an item from a poll and whether it should enter the pipeline.
type NewItem struct {
	story.Item
	// Pending is false for items recorded only so they are never emitted:
	// the first poll's backlog, and items older than max_item_age.
	Pending bool
}

// ItemState is where an item is in the pipeline.
type ItemState string

const (
	ItemPending ItemState = "pending" // waiting for relevance and summary
	ItemSeen    ItemState = "seen"    // recorded, never to be emitted
	ItemDone    ItemState = "done"    // processed; Decision says what happened
)

// Decision is what the pipeline concluded about an item, kept so users can
// ask why something was or was not posted.
type Decision struct {
	Relevant  bool
	Score     float64
	Topics    []string
	Subtopics []string
	Reasons   []string
	Summary   string
	At        time.Time
	// StoryID, on a relevant decision, is the existing story the item
	// joins (the clusterer's verdict: another outlet's report of the same
	// event); zero starts a new story. Read back, it is the story the item
	// belongs to, zero if none.
	StoryID int64
	// StoryHeadline, StoryLink and StorySummary, on a decision that joins
	// the story StoryID names, replace that story's headline, link and
	// summary in the same transaction, so the edits the join queues show
	// them; an empty field leaves the story's as it is. The pipeline sets
	// them when the joining item changes which of the story's items best
	// stands for it (story.BestItem). On a decision that starts a story,
	// StoryHeadline (an English translation of the item's title) heads the
	// new story instead of the item's title; StoryLink and StorySummary are
	// then ignored. They are about the story, not the item: they are
	// ignored when the item is already in one, and are not kept with the
	// decision (they read back empty).
	StoryHeadline, StoryLink, StorySummary string
	// FollowsStoryID, on a decision that starts a story, is the older
	// story the new one continues (story.Decision.Follows: the same event,
	// back after the clusterer's fresh period); it becomes the new story's
	// Follows. A story that does not exist is ErrNotFound. Ignored, like
	// the story fields, when the decision joins a story, and not kept with
	// the decision.
	FollowsStoryID int64
}

// StoredItem is an item with its pipeline state.
type StoredItem struct {
	story.Item
	State    ItemState
	Decision *Decision // nil unless State is ItemDone
}
