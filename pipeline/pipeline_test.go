package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

// memStore is a minimal in-memory Store for the pipeline's own logic; the
// real stores are exercised by storetest and the end-to-end tests. Stories
// are numbered from 1; an item joins Decision.StoryID's.
type memStore struct {
	mu        sync.Mutex
	pending   []story.Item
	done      map[int64]story.Item
	decisions map[int64]store.Decision
	stories   [][]int64     // item IDs by story ID - 1
	heads     []store.Story // each story's headline, link and summary
	failRead  int           // fail this many PendingItems calls
	poison    int64         // CompleteItem always fails for this item ID
	updates   []string      // UpdateStorySummary calls, "story:summary"
	reads     int           // PendingItems calls
}

func (m *memStore) PendingItems(_ context.Context, limit int) ([]story.Item, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	if m.failRead > 0 {
		m.failRead--
		return nil, errors.New("disk on fire")
	}
	n := min(limit, len(m.pending))
	return append([]story.Item(nil), m.pending[:n]...), nil
}

func (m *memStore) CompleteItem(_ context.Context, id int64, d store.Decision) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if id == m.poison {
		return errors.New("constraint failed")
	}
	if m.decisions == nil {
		m.decisions, m.done = map[int64]store.Decision{}, map[int64]story.Item{}
	}
	var item story.Item
	for i, it := range m.pending {
		if it.ID == id {
			item = it
			m.pending = append(m.pending[:i], m.pending[i+1:]...)
			break
		}
	}
	m.done[id] = item
	if d.Relevant {
		switch {
		case d.StoryID == 0 && d.FollowsStoryID > int64(len(m.stories)):
			return fmt.Errorf("story %d it follows: %w", d.FollowsStoryID, store.ErrNotFound)
		case d.StoryID == 0:
			m.stories = append(m.stories, nil)
			head := item.Title
			if d.StoryHeadline != "" {
				head = d.StoryHeadline // a translated headline, as the stores do
			}
			m.heads = append(m.heads, store.Story{Headline: head, Link: item.Link, Summary: d.Summary, Follows: d.FollowsStoryID})
			d.StoryID = int64(len(m.stories))
		case d.StoryID > int64(len(m.stories)):
			return fmt.Errorf("story %d: %w", d.StoryID, store.ErrNotFound)
		default:
			h := &m.heads[d.StoryID-1]
			for _, f := range []struct {
				dst *string
				v   string
			}{
				{&h.Headline, d.StoryHeadline}, {&h.Link, d.StoryLink}, {&h.Summary, d.StorySummary},
			} {
				if f.v != "" {
					*f.dst = f.v
				}
			}
		}
		m.stories[d.StoryID-1] = append(m.stories[d.StoryID-1], id)
	}
	m.decisions[id] = d
	return nil
}

func (m *memStore) Item(_ context.Context, id int64) (store.StoredItem, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.decisions[id]
	if !ok {
		return store.StoredItem{}, fmt.Errorf("item %d: %w", id, store.ErrNotFound)
	}
	return store.StoredItem{Item: m.done[id], State: store.ItemDone, Decision: &d}, nil
}

// RecentStoryItems returns every story: the pipeline tests do not age them.
func (m *memStore) RecentStoryItems(context.Context, time.Time) ([]store.StoryItems, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.StoryItems
	for i, ids := range m.stories {
		si := store.StoryItems{StoryID: int64(i + 1)}
		for _, id := range ids {
			si.Items = append(si.Items, m.done[id])
		}
		out = append(out, si)
	}
	return out, nil
}

// Story returns a story's text and its items as sources.
func (m *memStore) Story(_ context.Context, id int64) (store.Story, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if id < 1 || id > int64(len(m.stories)) {
		return store.Story{}, fmt.Errorf("story %d: %w", id, store.ErrNotFound)
	}
	st := m.heads[id-1]
	st.ID = id
	for _, itemID := range m.stories[id-1] {
		it := m.done[itemID]
		st.Sources = append(st.Sources, store.StorySource{ItemID: it.ID, Source: it.Source, Title: it.Title, Link: it.Link})
	}
	return st, nil
}

// UpdateStorySummary replaces a story's summary and notes the call.
func (m *memStore) UpdateStorySummary(_ context.Context, id int64, summary string, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if id < 1 || id > int64(len(m.stories)) {
		return fmt.Errorf("story %d: %w", id, store.ErrNotFound)
	}
	m.heads[id-1].Summary = summary
	m.updates = append(m.updates, fmt.Sprintf("%d:%s", id, summary))
	return nil
}

// storyOf is the story item id is in, zero if none.
func (m *memStore) storyOf(id int64) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.decisions[id].StoryID
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestDrainRecordsEveryDecisionAndPublishesRelevant(t *testing.T) {
	ms := &memStore{}
	for i := 1; i <= 7; i++ {
		title := "Football results"
		if i%2 == 1 {
			title = "Iran talks resume"
		}
		ms.pending = append(ms.pending, story.Item{ID: int64(i), Source: "s", Title: title, Description: "desc", Published: time.Unix(0, 0)})
	}
	var out bytes.Buffer
	var summaries int
	p := &Pipeline{
		Store: ms, Log: quietLog(), BatchSize: 3, Sink: NewConsole(&out),
		Classify: func(it story.Item) Relevance {
			ok := strings.Contains(it.Title, "Iran")
			return Relevance{Relevant: ok, Score: map[bool]float64{true: 0.9, false: 0.1}[ok], Reasons: []string{"region: Iran"}}
		},
		Summarize: func(ctx context.Context, it story.Item) (Summary, error) {
			summaries++
			if it.ID == 5 {
				return Summary{}, errors.New("model down")
			}
			return Summary{Text: "Summary of " + it.Title}, nil
		},
	}
	if err := p.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(ms.decisions) != 7 || len(ms.pending) != 0 {
		t.Fatalf("decisions=%d pending=%d; want 7 and 0", len(ms.decisions), len(ms.pending))
	}
	if summaries != 4 {
		t.Errorf("summarized %d items; want only the 4 relevant ones", summaries)
	}
	if d := ms.decisions[5]; d.Summary != "desc" || !d.Relevant {
		t.Errorf("a failed summary should fall back to the description: %+v", d)
	}
	if d := ms.decisions[2]; d.Relevant || d.Summary != "" {
		t.Errorf("off-topic item: %+v", d)
	}
	if got := strings.Count(out.String(), "■ Iran talks resume"); got != 4 {
		t.Errorf("console printed %d briefings; want 4:\n%s", got, out.String())
	}
	if strings.Contains(out.String(), "Football") {
		t.Error("an off-topic item reached the console")
	}
}

func TestRunRetriesAfterStoreError(t *testing.T) {
	ms := &memStore{failRead: 1, pending: []story.Item{{ID: 1, Title: "x"}}}
	p := &Pipeline{
		Store: ms, Log: quietLog(), RetryAfter: time.Millisecond,
		Classify:  func(story.Item) Relevance { return Relevance{} },
		Summarize: func(context.Context, story.Item) (Summary, error) { return Summary{}, nil },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx, make(chan struct{})) }()
	waitDecisions(t, ms, 1, time.After(10*time.Second), "pipeline did not recover from a store error")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run returned %v after cancel; want nil", err)
	}
}

// waitDecisions waits until ms holds n decisions, failing with msg at
// deadline.
func waitDecisions(t *testing.T, ms *memStore, n int, deadline <-chan time.Time, msg string) {
	t.Helper()
	for {
		ms.mu.Lock()
		got := len(ms.decisions)
		ms.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-deadline:
			t.Fatal(msg)
		case <-time.After(time.Millisecond):
		}
	}
}

// With Recheck, an item recorded without a wake (another instance's
// poller recorded it) is still processed.
func TestRecheckFindsItemsNobodyWokeItFor(t *testing.T) {
	ms := &memStore{}
	p := &Pipeline{
		Store: ms, Log: quietLog(), Recheck: 5 * time.Millisecond,
		Classify:  func(story.Item) Relevance { return Relevance{} },
		Summarize: func(context.Context, story.Item) (Summary, error) { return Summary{}, nil },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx, make(chan struct{})) }() // never woken
	deadline := time.After(10 * time.Second)
	// The item arrives after the first drain found nothing.
	for added := false; !added; {
		ms.mu.Lock()
		if ms.reads > 0 {
			ms.pending = append(ms.pending, story.Item{ID: 1, Title: "x"})
			added = true
		}
		ms.mu.Unlock()
		select {
		case <-deadline:
			t.Fatal("the pipeline never read pending items")
		case <-time.After(time.Millisecond):
		}
	}
	waitDecisions(t, ms, 1, deadline, "an item recorded without a wake was never processed")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run returned %v after cancel; want nil", err)
	}
}

// An item the store cannot record is retried a few times and then set
// aside, so the items behind it still get through.
func TestPoisonItemIsSetAside(t *testing.T) {
	ms := &memStore{poison: 1}
	for i := 1; i <= 4; i++ {
		ms.pending = append(ms.pending, story.Item{ID: int64(i), Title: "x"})
	}
	p := &Pipeline{
		Store: ms, Log: quietLog(), BatchSize: 2,
		Classify:  func(story.Item) Relevance { return Relevance{} },
		Summarize: func(context.Context, story.Item) (Summary, error) { return Summary{}, nil },
	}
	var err error
	for range maxItemFailures - 1 {
		if err = p.Drain(context.Background()); err == nil {
			t.Fatal("Drain hid a store failure")
		}
	}
	if len(ms.decisions) != 0 {
		t.Fatalf("items behind the failing one were processed before it was set aside: %v", ms.decisions)
	}
	if err := p.Drain(context.Background()); err != nil {
		t.Fatalf("Drain after setting the item aside: %v", err)
	}
	if len(ms.decisions) != 3 {
		t.Errorf("%d items recorded; want the 3 behind the failing one", len(ms.decisions))
	}
	if len(ms.pending) != 1 || ms.pending[0].ID != 1 {
		t.Errorf("pending = %+v; want only the failing item, still pending", ms.pending)
	}
}

// The failure counts and the set-aside list do not outlive the items they
// are about: an item that fails a few times and then succeeds, or a
// set-aside item that stops being pending, is forgotten.
func TestFailureBookkeepingIsPruned(t *testing.T) {
	ms := &memStore{poison: 1}
	for i := 1; i <= 3; i++ {
		ms.pending = append(ms.pending, story.Item{ID: int64(i), Title: "x"})
	}
	p := &Pipeline{
		Store: ms, Log: quietLog(), BatchSize: 10,
		Classify:  func(story.Item) Relevance { return Relevance{} },
		Summarize: func(context.Context, story.Item) (Summary, error) { return Summary{}, nil },
	}
	for range 2 {
		if err := p.Drain(context.Background()); err == nil {
			t.Fatal("Drain hid a store failure")
		}
	}
	ms.mu.Lock()
	ms.poison = 0 // the store recovers
	ms.mu.Unlock()
	if err := p.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(p.failures) != 0 {
		t.Errorf("failures = %v after every item succeeded, want empty", p.failures)
	}

	ms.mu.Lock()
	ms.poison = 9
	ms.pending = append(ms.pending, story.Item{ID: 9, Title: "poison"})
	ms.mu.Unlock()
	for range maxItemFailures {
		_ = p.Drain(context.Background())
	}
	if !p.setAside[9] || len(p.failures) != 0 {
		t.Fatalf("setAside = %v, failures = %v; want item 9 set aside and no counts left", p.setAside, p.failures)
	}
	ms.mu.Lock()
	ms.pending = nil // dealt with elsewhere
	ms.mu.Unlock()
	if err := p.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(p.setAside) != 0 {
		t.Errorf("setAside = %v after the item left the pending state, want empty", p.setAside)
	}
}

// orderSink records the order of publications against the store's
// decisions.
type orderSink struct {
	ms     *memStore
	mu     sync.Mutex
	seenAt []int // decisions recorded when each briefing was published
}

func (s *orderSink) Publish(_ context.Context, b Briefing) error {
	s.ms.mu.Lock()
	n := len(s.ms.decisions)
	s.ms.mu.Unlock()
	s.mu.Lock()
	s.seenAt = append(s.seenAt, n)
	s.mu.Unlock()
	return nil
}

// TestBatchIsDecidedBeforeAnyPost: the items of one batch (one poll, or
// polls that finished together) are all in their story before the sink,
// which wakes the poster, hears of any of them.
func TestBatchIsDecidedBeforeAnyPost(t *testing.T) {
	ms := &memStore{}
	for i, src := range []string{"wire", "daily", "weekly"} {
		ms.pending = append(ms.pending, story.Item{ID: int64(i + 1), Source: src, Title: "Iran cabinet vote on ceasefire deal delayed " + src,
			Link: "https://" + src + ".example/vote", Published: time.Date(2025, 1, 16, 10, i, 0, 0, time.UTC)})
	}
	sink := &orderSink{ms: ms}
	p := clusteringPipeline(ms)
	p.Sink = sink
	if err := p.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(sink.seenAt) != 3 {
		t.Fatalf("published %d briefings, want 3", len(sink.seenAt))
	}
	for i, n := range sink.seenAt {
		if n != 3 {
			t.Errorf("briefing %d published when %d of 3 decisions were recorded; want all 3 first", i, n)
		}
	}
}

// TestSettleTakesWakesOfPollsFinishingTogether: Run waits Settle after a
// wake, so items recorded by a poll finishing just after are in the same
// batch.
func TestSettleTakesWakesOfPollsFinishingTogether(t *testing.T) {
	ms := &memStore{}
	sink := &orderSink{ms: ms}
	p := clusteringPipeline(ms)
	p.Sink = sink
	p.Settle = 3 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wake := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, wake) }()
	// Let the start-up drain find nothing.
	deadline := time.Now().Add(10 * time.Second)
	for {
		ms.mu.Lock()
		reads := ms.reads
		ms.mu.Unlock()
		if reads > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("pipeline never drained at start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	add := func(id int64, src string) {
		ms.mu.Lock()
		ms.pending = append(ms.pending, story.Item{ID: id, Source: src, Title: "Iran cabinet vote on ceasefire deal delayed " + src,
			Link: "https://" + src + ".example/vote", Published: time.Date(2025, 1, 16, 10, int(id), 0, 0, time.UTC)})
		ms.mu.Unlock()
		wake <- struct{}{}
	}
	add(1, "wire") // a poll finishes
	// Another finishes shortly after: time enough, without Settle, for
	// the first item to be decided and posted alone.
	time.Sleep(300 * time.Millisecond)
	add(2, "daily")
	waitDecisions(t, ms, 2, time.After(10*time.Second), "two items decided")
	cancel()
	<-done
	sink.mu.Lock()
	defer sink.mu.Unlock()
	for i, n := range sink.seenAt {
		if n != 2 {
			t.Errorf("briefing %d published when %d of 2 decisions were recorded; want both first", i, n)
		}
	}
}

// TestSlowSummariesDoNotHoldTheBatch: past MaxHold, what is summarized is
// decided and posted, and the rest follows.
func TestSlowSummariesDoNotHoldTheBatch(t *testing.T) {
	ms := &memStore{}
	for i := range 4 {
		ms.pending = append(ms.pending, story.Item{ID: int64(i + 1), Source: fmt.Sprintf("s%d", i), Title: fmt.Sprintf("Iran item %d", i),
			Link: fmt.Sprintf("https://s%d.example/x", i), Published: time.Date(2025, 1, 16, 10, i, 0, 0, time.UTC)})
	}
	sink := &orderSink{ms: ms}
	p := clusteringPipeline(ms)
	p.Sink = sink
	p.MaxHold = 50 * time.Millisecond
	p.Summarize = func(_ context.Context, it story.Item) (Summary, error) {
		time.Sleep(40 * time.Millisecond)
		return Summary{Text: it.Title}, nil
	}
	if err := p.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(sink.seenAt) != 4 {
		t.Fatalf("published %d briefings, want 4", len(sink.seenAt))
	}
	if sink.seenAt[0] == 4 {
		t.Errorf("the first briefing waited for all 4 slow summaries (decisions recorded when published: %v)", sink.seenAt)
	}
}
