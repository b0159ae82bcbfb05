package source

import (
	"context"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

// pollLog records which poller recorded each poll, and when it was
// granted the lease that poll ran under.
type pollLog struct {
	mu      sync.Mutex
	polls   []recordedPoll
	claimed map[string]time.Time // each owner's latest granted lease, by its start
}

type recordedPoll struct {
	owner string
	at    time.Time // when the poll's lease was granted
}

func (l *pollLog) snapshot() []recordedPoll {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.polls)
}

// ownedStore is one instance's handle on the shared store.
type ownedStore struct {
	*fakeStore
	owner string
	log   *pollLog
}

func (s ownedStore) Lease(ctx context.Context, name, owner string, now, until time.Time) (bool, time.Time, error) {
	held, heldUntil, err := s.fakeStore.Lease(ctx, name, owner, now, until)
	if held && err == nil {
		s.log.mu.Lock()
		if s.log.claimed == nil {
			s.log.claimed = map[string]time.Time{}
		}
		s.log.claimed[owner] = now
		s.log.mu.Unlock()
	}
	return held, heldUntil, err
}

func (s ownedStore) RecordPoll(ctx context.Context, src string, p store.Poll) ([]story.Item, error) {
	s.log.mu.Lock()
	s.log.polls = append(s.log.polls, recordedPoll{s.owner, s.log.claimed[s.owner]})
	s.log.mu.Unlock()
	return s.fakeStore.RecordPoll(ctx, src, p)
}

// Two pollers sharing a store poll each source as one would: never two
// polls within the interval, the polls spread over both, and when one
// stops the other carries on.
func TestPollersSharePollsThroughLeases(t *testing.T) {
	const interval = 40 * time.Millisecond
	fs := newFeedServer(t, rssDoc("", hourly("g", 1, time.Now())...), "")
	feed := Feed{Name: "shared", URL: fs.URL, Interval: interval}
	shared, log := newFakeStore(), &pollLog{}
	run := func(owner string) (stop func()) {
		p := NewPoller(testFetcher(t, Limits{}), ownedStore{shared, owner, log}, []Feed{feed},
			PollerOptions{Owner: owner}, testLogger(t))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { _ = p.Run(ctx); close(done) }()
		return func() { cancel(); <-done }
	}
	stopA, stopB := run("a"), run("b")
	defer stopB()

	waitPolls := func(n int) []recordedPoll {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			if got := log.snapshot(); len(got) >= n {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("only %d polls recorded; want %d", len(log.snapshot()), n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	polls := waitPolls(30)
	stopA() // a lease it held is handed over
	byOwner := map[string]int{}
	for i, p := range polls {
		byOwner[p.owner]++
		// A poll keeps the lease for the next interval less its 10%
		// jitter, so no lease for the next poll is granted before then.
		// (Claim times, not record times: a record waits for its fetch.)
		if i > 0 {
			if gap := p.at.Sub(polls[i-1].at); gap < interval*9/10 {
				t.Errorf("poll %d (%s) was granted its lease %v after poll %d (%s); the lease allows none within %v",
					i, p.owner, gap, i-1, polls[i-1].owner, interval*9/10)
			}
		}
	}
	t.Logf("polls by owner: %v", byOwner)
	if byOwner["a"] == 0 || byOwner["b"] == 0 {
		t.Errorf("polls by owner %v; want both instances to take turns", byOwner)
	}

	after := len(log.snapshot())
	more := waitPolls(after + 5)
	for _, p := range more[after:] {
		if p.owner != "b" {
			t.Errorf("a poll by %q after it stopped", p.owner)
		}
	}
}

// writeCounter counts the store writes a poller makes, by method.
type writeCounter struct {
	*fakeStore
	mu     sync.Mutex
	writes map[string]int
}

func (c *writeCounter) note(what string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes[what]++
}

func (c *writeCounter) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.writes
	c.writes = map[string]int{}
	return w
}

func (c *writeCounter) RecordPoll(ctx context.Context, src string, p store.Poll) ([]story.Item, error) {
	c.note("RecordPoll")
	return c.fakeStore.RecordPoll(ctx, src, p)
}

func (c *writeCounter) RecordFailure(ctx context.Context, src string, at time.Time, reason string) (int, error) {
	c.note("RecordFailure")
	return c.fakeStore.RecordFailure(ctx, src, at, reason)
}

func (c *writeCounter) SetSourceWarning(ctx context.Context, src, warning string, at time.Time) error {
	c.note("SetSourceWarning")
	return c.fakeStore.SetSourceWarning(ctx, src, warning, at)
}

func (c *writeCounter) Lease(ctx context.Context, name, owner string, now, until time.Time) (bool, time.Time, error) {
	c.note("Lease")
	return c.fakeStore.Lease(ctx, name, owner, now, until)
}

// A scheduled poll writes to the store twice when it succeeds, 304 or
// not: the lease claim, then the record, which keeps the lease until the
// next poll in the same transaction; a failed poll keeps it on its own.
// At 10,000 sources these writes were most of the poller's CPU.
func TestTurnStoreWrites(t *testing.T) {
	fx := newPollerFixture(t, rssDoc("", hourly("a", 3, pollNow)...), `"v1"`, 0)
	wc := &writeCounter{fakeStore: fx.store, writes: map[string]int{}}
	if err := fx.store.EnsureSource(t.Context(), fx.feed.Name, fx.feed.URL); err != nil {
		t.Fatal(err)
	}
	p := NewPoller(testFetcher(t, Limits{}), wc, []Feed{fx.feed}, PollerOptions{Now: fx.clock.Now, Owner: "me"}, testLogger(t))
	steps := []struct {
		what  string
		setup func()
		want  map[string]int
	}{
		{"first poll (200)", func() {}, map[string]int{"Lease": 1, "RecordPoll": 1}},
		{"304", func() {}, map[string]int{"Lease": 1, "RecordPoll": 1}},
		{"failure", func() { fx.srv.fail(500, "") }, map[string]int{"Lease": 2, "RecordFailure": 1}},
	}
	for _, step := range steps {
		step.setup()
		fx.clock.Advance(10 * time.Minute)
		wait, stop := p.turn(t.Context(), fx.feed, testLogger(t))
		if stop {
			t.Fatalf("%s: turn stopped", step.what)
		}
		if got := wc.take(); !maps.Equal(got, step.want) {
			t.Errorf("%s: writes %v, want %v", step.what, got, step.want)
		}
		// Whatever the outcome, the lease is ours until the next poll.
		held, until, err := fx.store.Lease(t.Context(), leaseName(fx.feed), "other", fx.clock.Now(), fx.clock.Now().Add(time.Hour))
		if err != nil || held {
			t.Errorf("%s: another instance could take the lease after the poll", step.what)
		}
		if next := fx.clock.Now().Add(wait); until.After(next) {
			t.Errorf("%s: lease kept until %v, past the next poll at %v", step.what, until, next)
		}
	}
	if polls := fx.store.polls; len(polls) != 2 || !polls[1].NotModified || polls[1].Keep.Owner != "me" {
		t.Errorf("recorded polls %+v; want the 304 second, keeping the lease", polls)
	}
}
