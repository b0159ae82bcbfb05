package source

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
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

// stop ends a schedule whose step waits for a starter at once, whether
// the step is its first or one its timer made due, and exactly once.
func TestStopEndsAQueuedStep(t *testing.T) {
	for _, tt := range []struct {
		name  string
		queue func(p *Poller, l **feedLoop, done func())
	}{
		{"first step", func(p *Poller, l **feedLoop, done func()) {
			*l = p.loop(context.Background(), Feed{Name: "a"}, done)
		}},
		{"fired timer's step", func(p *Poller, l **feedLoop, done func()) {
			*l = &feedLoop{p: p, feed: Feed{Name: "a"}, ctx: context.Background(), done: done}
			(*l).arm(0)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPoller(nil, newFakeStore(), nil, PollerOptions{Concurrency: 1}, nil)
			p.starters = cap(p.turns) // every starter busy: steps stay queued
			var ends atomic.Int32
			var l *feedLoop
			tt.queue(p, &l, func() { ends.Add(1) })
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
				p.startMu.Lock()
				n := len(p.starts)
				p.startMu.Unlock()
				if n == 1 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d steps queued, want 1", n)
				}
			}
			l.stop()
			if n := ends.Load(); n != 1 {
				t.Fatalf("stop with a step queued: schedule ended %d times, want 1", n)
			}
			// The step, reached at last, does nothing.
			p.startMu.Lock()
			step := p.starts[0]
			p.startMu.Unlock()
			step()
			l.stop()
			if n := ends.Load(); n != 1 {
				t.Errorf("schedule ended %d times, want 1", n)
			}
		})
	}
}

// Feeds removed, changed and added again while their steps fire, queue
// and run: every SetFeeds returns promptly, and so does Run.
func TestSetFeedsChurn(t *testing.T) {
	srv := newFeedServer(t, rssDoc("", hourly("c", 1, time.Now())...), "")
	feeds := func(interval time.Duration, n int) []Feed {
		fs := make([]Feed, n)
		for i := range fs {
			fs[i] = Feed{Name: fmt.Sprintf("feed-%d", i), URL: srv.URL + fmt.Sprintf("?f=%d", i), Interval: interval}
		}
		return fs
	}
	p := NewPoller(testFetcher(t, Limits{}), newFakeStore(), feeds(5*time.Millisecond, 24),
		PollerOptions{Concurrency: 1}, testLogger(t))
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- p.Run(ctx) }()
	sets := [][]Feed{feeds(5*time.Millisecond, 24), feeds(5*time.Millisecond, 8), feeds(7*time.Millisecond, 24), nil}
	for i := range 40 {
		set := make(chan error, 1)
		go func() { set <- p.SetFeeds(context.Background(), sets[i%len(sets)]) }()
		select {
		case err := <-set:
			if err != nil {
				t.Fatalf("SetFeeds: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("SetFeeds %d did not return", i)
		}
		time.Sleep(time.Duration(i%5) * time.Millisecond)
	}
	cancel()
	select {
	case err := <-runDone:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

// At shutdown with polls far behind (a fetch hanging, hundreds of steps
// queued), Run returns promptly: the fetch is cut off and the queued
// steps end without polling.
func TestRunEndsPromptlyWithStepsQueued(t *testing.T) {
	var fetches atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		<-r.Context().Done()
	}))
	defer srv.Close()
	p := NewPoller(testFetcher(t, Limits{Timeout: time.Minute}), newFakeStore(), nil, PollerOptions{Concurrency: 1}, testLogger(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runDone := make(chan error, 1)
	go func() { runDone <- p.Run(ctx) }()
	for running := false; !running; time.Sleep(time.Millisecond) {
		p.set.mu.Lock()
		running = p.set.ctx != nil
		p.set.mu.Unlock()
	}
	const n = 300
	feeds := make([]Feed, n)
	for i := range feeds {
		feeds[i] = Feed{Name: fmt.Sprintf("feed-%d", i), URL: fmt.Sprintf("%s/%d.xml", srv.URL, i), Interval: time.Hour}
	}
	if err := p.SetFeeds(context.Background(), feeds); err != nil { // new feeds: polled at once
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		p.startMu.Lock()
		queued := len(p.starts)
		p.startMu.Unlock()
		// Every feed but those on a starter has its poll queued.
		if fetches.Load() > 0 && queued == n-cap(p.turns) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d fetches, %d steps queued; want a hanging fetch and %d queued", fetches.Load(), queued, n-cap(p.turns))
		}
	}
	cancel()
	select {
	case err := <-runDone:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return within 5s of cancel")
	}
	if got := fetches.Load(); got > int32(cap(p.turns)) {
		t.Errorf("%d fetches, want at most %d: queued steps polled during shutdown", got, cap(p.turns))
	}
}
