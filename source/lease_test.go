package source

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

// pollLog records which poller recorded each poll, and when.
type pollLog struct {
	mu    sync.Mutex
	polls []recordedPoll
}

type recordedPoll struct {
	owner string
	at    time.Time
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

func (s ownedStore) RecordPoll(ctx context.Context, src string, p store.Poll) ([]story.Item, error) {
	s.log.mu.Lock()
	s.log.polls = append(s.log.polls, recordedPoll{s.owner, time.Now()})
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
		// A poll keeps the lease for the next interval less its 10% jitter.
		if i > 0 {
			if gap := p.at.Sub(polls[i-1].at); gap < interval*9/10 {
				t.Errorf("poll %d (%s) came %v after poll %d (%s); the lease allows none within %v",
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
