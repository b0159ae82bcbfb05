// Package storetest is the contract every store.Store implementation must
// meet. An implementation's tests call Run with a way to create an empty
// database; the suite checks behaviour only through the interface, so the
// same tests hold SQLite and PostgreSQL to the same semantics.
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Opener {
//			path := filepath.Join(t.TempDir(), "test.db")
//			return func(t *testing.T) store.Store {
//				s, err := sqlite.Open(t.Context(), path, nil)
//				if err != nil {
//					t.Fatal(err)
//				}
//				return s
//			}
//		})
//	}
package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

// Opener opens a store on the database its NewDB prepared, failing t if it
// cannot. Each call opens a new handle on the same database, so the suite
// can close a store and open it again to check what persisted. The suite
// closes every store it opens.
type Opener func(t *testing.T) store.Store

// NewDB prepares an empty, migrated-on-open database private to t (a file in
// t.TempDir(), a fresh PostgreSQL schema) and returns how to open it.
type NewDB func(t *testing.T) Opener

// Option adjusts the suite to an implementation's documented limits.
type Option func(*suite)

// TimePrecision declares that the implementation keeps times only to d
// (PostgreSQL's timestamptz keeps microseconds); times then compare equal
// when within d. The default is exact, to the nanosecond.
func TimePrecision(d time.Duration) Option { return func(s *suite) { s.precision = d } }

type suite struct {
	newDB     NewDB
	precision time.Duration
}

// Run runs the whole contract as subtests of t.
func Run(t *testing.T, newDB NewDB, opts ...Option) {
	s := &suite{newDB: newDB}
	for _, o := range opts {
		o(s)
	}
	groups := []struct {
		name  string
		tests []test
	}{
		{"Sources", s.sourceTests()},
		{"RecordPoll", s.pollTests()},
		{"RecordFailure", s.failureTests()},
		{"Items", s.itemTests()},
		{"Lifecycle", s.lifecycleTests()},
		{"Concurrency", s.concurrencyTests()},
		{"Stories", s.storyTests()},
		{"Subscriptions", s.subscriptionTests()},
		{"Outbox", s.outboxTests()},
		{"StoryEdits", s.editTests()},
		{"StoryRefresh", s.refreshTests()},
		{"StorySummaryUpdate", s.summaryUpdateTests()},
		{"RecentStoryItems", s.recentStoryTests()},
		{"StoryFollows", s.followTests()},
		{"Digests", s.digestTests()},
		{"Interactions", s.interactionTests()},
		{"SummaryCache", s.summaryCacheTests()},
		{"ItemArticles", s.itemArticleTests()},
		{"ArticleSearch", s.articleSearchTests()},
		{"BriefingConcurrency", s.briefingConcurrencyTests()},
		{"BriefingLifecycle", s.briefingLifecycleTests()},
		{"Leases", s.leaseTests()},
		{"GuildConfig", s.guildTests()},
		{"Retention", s.retentionTests()},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, tc.run)
			}
		})
	}
}

type test struct {
	name string
	run  func(t *testing.T)
}

// fresh opens a store on a new empty database.
func (s *suite) fresh(t *testing.T) (store.Store, Opener) {
	t.Helper()
	open := s.newDB(t)
	return s.open(t, open), open
}

// open opens a store and closes it when t ends (Close is idempotent, so a
// test may close it earlier).
func (s *suite) open(t *testing.T, open Opener) store.Store {
	t.Helper()
	st := open(t)
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return st
}

// t0 has nanoseconds so that truncation shows; times built from it are
// what a poll would carry.
var t0 = time.Date(2025, time.March, 14, 9, 26, 53, 589793238, time.UTC)

// at returns t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// newItem is a realistic item of source src, published an hour before t0
// and fetched at t0.
func newItem(src, key, link string) story.Item {
	return story.Item{
		Source:      src,
		Key:         key,
		GUID:        key,
		Link:        link,
		Title:       "Envoys meet in Muscat on " + key,
		Description: "Delegations held a second round of indirect talks.",
		Content:     "Delegations held a second round of indirect talks.\n\nBoth sides called them constructive.",
		Author:      "Staff reporter",
		Language:    "en",
		Published:   at(-time.Hour),
		Fetched:     t0,
	}
}

func pending(items ...story.Item) []store.NewItem {
	out := make([]store.NewItem, len(items))
	for i, it := range items {
		out[i] = store.NewItem{Item: it, Pending: true}
	}
	return out
}

func seen(items ...story.Item) []store.NewItem {
	out := make([]store.NewItem, len(items))
	for i, it := range items {
		out[i] = store.NewItem{Item: it}
	}
	return out
}

func ensure(t *testing.T, st store.Store, names ...string) {
	t.Helper()
	for _, n := range names {
		if err := st.EnsureSource(t.Context(), n, "https://"+n+".example/feed.xml"); err != nil {
			t.Fatalf("EnsureSource(%q): %v", n, err)
		}
	}
}

func poll(t *testing.T, st store.Store, src string, p store.Poll) []story.Item {
	t.Helper()
	if p.At.IsZero() {
		p.At = t0
	}
	got, err := st.RecordPoll(t.Context(), src, p)
	if err != nil {
		t.Fatalf("RecordPoll(%q): %v", src, err)
	}
	return got
}

func source(t *testing.T, st store.Store, name string) store.SourceState {
	t.Helper()
	got, err := st.Source(t.Context(), name)
	if err != nil {
		t.Fatalf("Source(%q): %v", name, err)
	}
	return got
}

func pendingItems(t *testing.T, st store.Store) []story.Item {
	t.Helper()
	got, err := st.PendingItems(t.Context(), 1000)
	if err != nil {
		t.Fatalf("PendingItems: %v", err)
	}
	return got
}

func byLink(t *testing.T, st store.Store, link string) store.StoredItem {
	t.Helper()
	got, err := st.ItemByLink(t.Context(), link)
	if err != nil {
		t.Fatalf("ItemByLink(%q): %v", link, err)
	}
	return got
}

func keys(items []story.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Key
	}
	return out
}

func wantKeys(t *testing.T, what string, got []story.Item, want ...string) {
	t.Helper()
	if g := keys(got); !slices.Equal(g, want) {
		t.Errorf("%s: keys %q, want %q", what, g, want)
	}
}

func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("%s: error %v, want one wrapping store.ErrNotFound", what, err)
	}
}

// sameTime reports whether got is want within the declared precision, and
// got is in UTC as the contract promises.
func (s *suite) sameTime(want, got time.Time) bool {
	if want.IsZero() || got.IsZero() {
		return want.IsZero() && got.IsZero()
	}
	if got.Location() != time.UTC {
		return false
	}
	d := got.Sub(want)
	if d < 0 {
		d = -d
	}
	return d == 0 || d < s.precision
}

func (s *suite) checkTime(t *testing.T, what string, want, got time.Time) {
	t.Helper()
	if !s.sameTime(want, got) {
		t.Errorf("%s = %v (%v), want %v in UTC", what, got, got.Location(), want)
	}
}

// checkItem compares every field of an item read back with what was stored.
func (s *suite) checkItem(t *testing.T, want, got story.Item) {
	t.Helper()
	if want.ID != 0 && got.ID != want.ID {
		t.Errorf("item %q: ID %d, want %d", want.Key, got.ID, want.ID)
	}
	if got.ID <= 0 {
		t.Errorf("item %q: ID %d, want a positive row ID", want.Key, got.ID)
	}
	type text struct{ Source, Key, GUID, Link, Title, Description, Content, Author, Language string }
	w := text{want.Source, want.Key, want.GUID, want.Link, want.Title, want.Description, want.Content, want.Author, want.Language}
	g := text{got.Source, got.Key, got.GUID, got.Link, got.Title, got.Description, got.Content, got.Author, got.Language}
	if g != w {
		t.Errorf("item %q:\n got %+v\nwant %+v", want.Key, g, w)
	}
	s.checkTime(t, "item "+want.Key+" Published", want.Published, got.Published)
	s.checkTime(t, "item "+want.Key+" Fetched", want.Fetched, got.Fetched)
}

// checkDecision compares decisions, treating nil and empty lists alike
// (stores differ in how they keep an empty list; nobody can tell them apart).
func (s *suite) checkDecision(t *testing.T, want store.Decision, got *store.Decision) {
	t.Helper()
	if got == nil {
		t.Errorf("Decision is nil, want %+v", want)
		return
	}
	if got.Relevant != want.Relevant || got.Score != want.Score || got.Summary != want.Summary ||
		!sameList(got.Topics, want.Topics) || !sameList(got.Subtopics, want.Subtopics) || !sameList(got.Reasons, want.Reasons) {
		t.Errorf("Decision:\n got %+v\nwant %+v", *got, want)
	}
	s.checkTime(t, "Decision.At", want.At, got.At)
}

func sameList(a, b []string) bool { return len(a) == len(b) && (len(a) == 0 || slices.Equal(a, b)) }

// cancelled returns a context that is already done.
func cancelled(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
