package source

import (
	"context"
	"testing"
	"time"
)

// Feeds added while the poller runs are polled from their first tick, and
// removed ones are polled no more; the others carry on meanwhile.
func TestSetFeedsWhileRunning(t *testing.T) {
	const interval = 30 * time.Millisecond
	keep := newFeedServer(t, rssDoc("", hourly("k", 1, time.Now())...), "")
	added := newFeedServer(t, rssDoc("", hourly("a", 1, time.Now())...), "")
	st := newFakeStore()
	p := NewPoller(testFetcher(t, Limits{}), st, []Feed{{Name: "keep", URL: keep.URL, Interval: interval}},
		PollerOptions{}, testLogger(t))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = p.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor("the first feed's poll", func() bool { return keep.hits() > 0 })
	if added.hits() != 0 {
		t.Fatalf("a feed not yet added was fetched %d times", added.hits())
	}

	both := []Feed{{Name: "keep", URL: keep.URL, Interval: interval}, {Name: "added", URL: added.URL, Interval: interval}}
	if err := p.SetFeeds(t.Context(), both); err != nil {
		t.Fatalf("SetFeeds: %v", err)
	}
	if got := p.Feeds(); len(got) != 2 {
		t.Errorf("Feeds() = %v, want both", got)
	}
	waitFor("the added feed's polls", func() bool { return added.hits() >= 2 })
	if !st.state("added").Primed {
		t.Errorf("the added feed's poll was not recorded: %+v", st.state("added"))
	}

	if err := p.SetFeeds(t.Context(), both[:1]); err != nil {
		t.Fatalf("SetFeeds: %v", err)
	}
	stoppedAt := added.hits()
	before := keep.hits()
	waitFor("the kept feed to carry on", func() bool { return keep.hits() >= before+3 })
	if n := added.hits(); n != stoppedAt {
		t.Errorf("the removed feed was fetched %d more times after SetFeeds returned", n-stoppedAt)
	}
}

func (fs *feedServer) hits() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.requests
}
