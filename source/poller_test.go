package source

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

// feedServer serves one feed whose body, ETag and status a test changes
// between polls. It honours If-None-Match like a well-behaved server.
type feedServer struct {
	*httptest.Server
	mu         sync.Mutex
	body       string
	etag       string
	status     int    // non-zero: answer with this status instead
	retryAfter string // sent with status
	requests   int
	lastINM    string
}

func newFeedServer(t *testing.T, body, etag string) *feedServer {
	fs := &feedServer{body: body, etag: etag}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		fs.requests++
		fs.lastINM = r.Header.Get("If-None-Match")
		if fs.status != 0 {
			if fs.retryAfter != "" {
				w.Header().Set("Retry-After", fs.retryAfter)
			}
			w.WriteHeader(fs.status)
			return
		}
		if fs.etag != "" {
			if fs.lastINM == fs.etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", fs.etag)
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, fs.body)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *feedServer) set(body, etag string) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.body, fs.etag, fs.status = body, etag, 0
}

func (fs *feedServer) fail(status int, retryAfter string) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.status, fs.retryAfter = status, retryAfter
}

var pollNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// items makes n items published one hour apart, newest first, ending at newest.
func hourly(prefix string, n int, newest time.Time) []testItem {
	out := make([]testItem, n)
	for i := range out {
		out[i] = testItem{
			GUID:  fmt.Sprintf("%s-%d", prefix, n-i),
			Link:  fmt.Sprintf("https://news.example.org/%s/%d", prefix, n-i),
			Title: fmt.Sprintf("%s story %d", prefix, n-i),
			Pub:   newest.Add(-time.Duration(i) * time.Hour),
		}
	}
	return out
}

type pollerFixture struct {
	store *fakeStore
	clock *fakeClock
	p     *Poller
	feed  Feed
	srv   *feedServer
	mu    sync.Mutex
	new   []story.Item // delivered through OnNew
}

func newPollerFixture(t *testing.T, body, etag string, backfill int) *pollerFixture {
	fx := &pollerFixture{store: newFakeStore(), clock: newFakeClock(pollNow)}
	fx.srv = newFeedServer(t, body, etag)
	fx.feed = Feed{Name: "test", URL: fx.srv.URL + "/feed.xml", Outlet: "Test", Backfill: backfill, Interval: 2 * time.Minute}
	fx.p = fx.newPoller(t)
	return fx
}

// newPoller makes a poller over the fixture's store, as after a restart.
func (fx *pollerFixture) newPoller(t *testing.T) *Poller {
	return NewPoller(testFetcher(t, Limits{}), fx.store, []Feed{fx.feed}, PollerOptions{
		Now: fx.clock.Now,
		OnNew: func(_ string, items []story.Item) {
			fx.mu.Lock()
			defer fx.mu.Unlock()
			fx.new = append(fx.new, items...)
		},
	}, testLogger(t))
}

func (fx *pollerFixture) poll(t *testing.T) PollResult {
	t.Helper()
	res, err := fx.p.PollOnce(context.Background(), fx.feed)
	if err != nil {
		t.Fatalf("PollOnce: %v", err)
	}
	return res
}

func titles(items []story.Item) string {
	var s []string
	for _, it := range items {
		s = append(s, it.Title)
	}
	return strings.Join(s, "|")
}

func TestFirstPollBackfillThenNewItems(t *testing.T) {
	fx := newPollerFixture(t, rssDoc("", hourly("a", 10, pollNow.Add(-time.Minute))...), "", 3)
	res := fx.poll(t)
	if res.Items != 10 || len(res.New) != 3 || res.Seen != 7 {
		t.Fatalf("first poll: %d items, %d new, %d seen; want 10, 3, 7", res.Items, len(res.New), res.Seen)
	}
	if got := titles(res.New); got != "a story 10|a story 9|a story 8" {
		t.Errorf("backfilled %q, want the three newest", got)
	}
	if got := titles(fx.new); got != titles(res.New) {
		t.Errorf("OnNew got %q", got)
	}
	if !fx.store.state("test").Primed {
		t.Error("source not primed after first poll")
	}

	fx.clock.Advance(2 * time.Minute)
	fx.srv.set(rssDoc("", append([]testItem{{GUID: "b-1", Link: "https://news.example.org/b/1", Title: "fresh", Pub: pollNow}},
		hourly("a", 10, pollNow.Add(-time.Minute))...)...), "")
	res = fx.poll(t)
	if titles(res.New) != "fresh" || res.Seen != 0 {
		t.Errorf("second poll new=%q seen=%d, want only %q", titles(res.New), res.Seen, "fresh")
	}
}

func TestFirstPollWithoutBackfillFloodsNothing(t *testing.T) {
	fx := newPollerFixture(t, rssDoc("", hourly("a", 5, pollNow)...), "", 0)
	res := fx.poll(t)
	if len(res.New) != 0 || res.Seen != 5 || len(fx.new) != 0 {
		t.Errorf("new=%d seen=%d notified=%d, want 0/5/0", len(res.New), res.Seen, len(fx.new))
	}
}

func TestOldItemsAreNeverPending(t *testing.T) {
	fx := newPollerFixture(t, rssDoc("", hourly("a", 2, pollNow)...), "", 0)
	fx.poll(t) // prime
	old := testItem{GUID: "old", Link: "https://news.example.org/old", Title: "resurfaced", Pub: pollNow.Add(-8 * 24 * time.Hour)}
	recent := testItem{GUID: "recent", Link: "https://news.example.org/recent", Title: "recent", Pub: pollNow.Add(-6 * 24 * time.Hour)}
	fx.srv.set(rssDoc("", append(hourly("a", 2, pollNow), old, recent)...), "")
	res := fx.poll(t)
	if titles(res.New) != "recent" || res.Seen != 1 {
		t.Errorf("new=%q seen=%d; the 8-day-old item must be recorded as seen, never pending", titles(res.New), res.Seen)
	}
	// Backfill does not override max age either.
	fx2 := newPollerFixture(t, rssDoc("", old), "", 5)
	if res := fx2.poll(t); len(res.New) != 0 {
		t.Errorf("backfill emitted an item older than max age: %q", titles(res.New))
	}
}

func TestNotModifiedCostsNoParse(t *testing.T) {
	fx := newPollerFixture(t, rssDoc("", hourly("a", 3, pollNow)...), `"v1"`, 0)
	var parses atomic.Int32
	fx.p.parse = func(b []byte, ct, u string) (*Document, error) {
		parses.Add(1)
		return Parse(b, ct, u)
	}
	fx.poll(t)
	if parses.Load() != 1 || fx.store.state("test").ETag != `"v1"` {
		t.Fatalf("after first poll: parses=%d etag=%q", parses.Load(), fx.store.state("test").ETag)
	}
	res := fx.poll(t)
	if !res.NotModified || parses.Load() != 1 {
		t.Errorf("304 poll: NotModified=%v parses=%d; want true and still 1", res.NotModified, parses.Load())
	}
	if fx.srv.lastINM != `"v1"` {
		t.Errorf("If-None-Match = %q", fx.srv.lastINM)
	}
	last := fx.store.polls[len(fx.store.polls)-1]
	if !last.NotModified || last.ETag != `"v1"` {
		t.Errorf("recorded poll = %+v", last)
	}

	// The ETag changes with the content: parsed again, new item found.
	fx.srv.set(rssDoc("", append([]testItem{{GUID: "n", Link: "https://news.example.org/n", Title: "new", Pub: pollNow}},
		hourly("a", 3, pollNow)...)...), `"v2"`)
	res = fx.poll(t)
	if res.NotModified || parses.Load() != 2 || titles(res.New) != "new" {
		t.Errorf("after ETag change: %+v parses=%d", res, parses.Load())
	}
	if fx.store.state("test").ETag != `"v2"` {
		t.Errorf("stored ETag = %q, want the new one", fx.store.state("test").ETag)
	}
}

func TestFailureThenRecoveryWithBackoff(t *testing.T) {
	fx := newPollerFixture(t, rssDoc("", hourly("a", 2, pollNow)...), "", 0)
	fx.poll(t)
	fx.srv.fail(http.StatusInternalServerError, "")
	var delays []time.Duration
	for i := 1; i <= 3; i++ {
		_, failures, err := fx.p.poll(context.Background(), fx.feed)
		if !errors.Is(err, ErrHTTPStatus) || failures != i {
			t.Fatalf("poll %d: failures=%d err=%v", i, failures, err)
		}
		delays = append(delays, fx.p.nextDelay(fx.feed, failures, err))
	}
	st := fx.store.state("test")
	if st.Failures != 3 || st.LastError != "HTTP 500 Internal Server Error" {
		t.Errorf("health = %d failures, %q", st.Failures, st.LastError)
	}
	// interval·2^n with equal jitter: within [2^n/2, 2^n] intervals.
	for i, d := range delays {
		hi := fx.feed.Interval << (i + 1)
		if d < hi/2 || d > hi {
			t.Errorf("delay after %d failures = %v, want within [%v, %v]", i+1, d, hi/2, hi)
		}
	}

	fx.srv.set(rssDoc("", hourly("a", 3, pollNow)...), "")
	res, failures, err := fx.p.poll(context.Background(), fx.feed)
	if err != nil || failures != 0 || len(res.New) != 1 {
		t.Fatalf("recovery poll: %+v failures=%d err=%v", res, failures, err)
	}
	st = fx.store.state("test")
	if st.Failures != 0 || st.LastError != "" {
		t.Errorf("health not reset after success: %+v", st)
	}
	// Back on its phase: the next phase point at least 90% of an interval on.
	if d := fx.p.nextDelay(fx.feed, 0, nil); d < 108*time.Second || d >= 228*time.Second {
		t.Errorf("delay after success = %v, want within [1m48s, 3m48s)", d)
	}
}

func TestBackoffIsCappedAtOneHour(t *testing.T) {
	p := NewPoller(nil, newFakeStore(), nil, PollerOptions{}, nil)
	feed := Feed{Interval: 2 * time.Minute}
	for _, n := range []int{6, 10, 50, 1000} {
		d := p.nextDelay(feed, n, &StatusError{Code: 500})
		if d > time.Hour || d < 30*time.Minute {
			t.Errorf("delay after %d failures = %v, want within [30m, 1h]", n, d)
		}
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	for _, tt := range []struct {
		status     int
		retryAfter string
		want       time.Duration
	}{
		{http.StatusTooManyRequests, "900", 15 * time.Minute},
		{http.StatusServiceUnavailable, pollNow.Add(3 * time.Hour).Format(http.TimeFormat), 3 * time.Hour},
	} {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			fx := newPollerFixture(t, "", "", 0)
			fx.p.fetcher.now = fx.clock.Now
			fx.srv.fail(tt.status, tt.retryAfter)
			_, failures, err := fx.p.poll(context.Background(), fx.feed)
			var se *StatusError
			if !errors.As(err, &se) || se.RetryAfter != tt.want {
				t.Fatalf("err = %v, want RetryAfter %v", err, tt.want)
			}
			if d := fx.p.nextDelay(fx.feed, failures, err); d != tt.want {
				t.Errorf("next poll in %v, want the server's %v", d, tt.want)
			}
			if r := fx.store.state("test").LastError; !strings.Contains(r, "Retry-After honoured") {
				t.Errorf("health reason = %q", r)
			}
		})
	}
}

func TestTimeoutIsRecordedInWords(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	st := newFakeStore()
	p := NewPoller(testFetcher(t, Limits{Timeout: 100 * time.Millisecond}), st, nil, PollerOptions{}, testLogger(t))
	feed := Feed{Name: "slow", URL: srv.URL}
	if _, err := p.PollOnce(context.Background(), feed); !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if got := st.state("slow").LastError; got != "timed out after 100ms" {
		t.Errorf("LastError = %q", got)
	}
}

func TestBrokenDocumentsAreFailuresInWords(t *testing.T) {
	fx := newPollerFixture(t, "<!doctype html><html><body>Moved to our new site</body></html>", "", 0)
	if _, err := fx.p.PollOnce(context.Background(), fx.feed); !errors.Is(err, ErrNotFeed) {
		t.Fatalf("err = %v", err)
	}
	if got := fx.store.state("test").LastError; got != "not a feed: got an HTML page" {
		t.Errorf("LastError = %q", got)
	}
	fx.srv.set("\x00\x01\x02 garbage", "")
	if _, err := fx.p.PollOnce(context.Background(), fx.feed); !errors.Is(err, ErrNotFeed) {
		t.Fatalf("garbage: err = %v", err)
	}
	if fx.store.state("test").Failures != 2 {
		t.Errorf("failures = %d", fx.store.state("test").Failures)
	}
}

func TestDuplicateUnderNewGUIDIsNotNew(t *testing.T) {
	fx := newPollerFixture(t, rssDoc("", testItem{GUID: "guid-1", Link: "https://news.example.org/story", Title: "Story", Pub: pollNow}), "", 0)
	fx.poll(t)
	// The outlet's CMS re-publishes the same article with a new GUID and a
	// tracking parameter on the link.
	fx.srv.set(rssDoc("", testItem{GUID: "guid-2", Link: "https://news.example.org/story?utm_source=rss#top", Title: "Story (updated)", Pub: pollNow}), "")
	if res := fx.poll(t); len(res.New) != 0 || res.Seen != 0 {
		t.Errorf("re-GUIDed item emitted: new=%q seen=%d", titles(res.New), res.Seen)
	}
	if fx.store.count("test") != 1 {
		t.Errorf("store holds %d items, want 1", fx.store.count("test"))
	}
}

func TestRepeatedGUIDFeedYieldsDistinctItems(t *testing.T) {
	fx := newPollerFixture(t, rssDoc("", testItem{GUID: "x", Link: "https://news.example.org/0", Title: "zero", Pub: pollNow}), "", 0)
	fx.poll(t)
	fx.srv.set(rssDoc("",
		testItem{GUID: "x", Link: "https://news.example.org/1", Title: "one", Pub: pollNow},
		testItem{GUID: "x", Link: "https://news.example.org/2", Title: "two", Pub: pollNow},
		testItem{GUID: "x", Link: "https://news.example.org/0", Title: "zero", Pub: pollNow},
	), "")
	if res := fx.poll(t); titles(res.New) != "one|two" {
		t.Errorf("new = %q, want one|two", titles(res.New))
	}
}

// After a restart (a new Poller over the same store) nothing already seen
// is emitted again, and the stored ETag is used for a conditional GET.
func TestRestartDoesNotReEmit(t *testing.T) {
	doc := rssDoc("", hourly("a", 4, pollNow)...)
	fx := newPollerFixture(t, doc, `"e1"`, 2)
	first := fx.poll(t)
	if len(first.New) != 2 {
		t.Fatalf("first poll new = %d", len(first.New))
	}
	pendingBefore := len(fx.store.pendingItems())

	fx.p = fx.newPoller(t) // restart
	res := fx.poll(t)
	if !res.NotModified || fx.srv.lastINM != `"e1"` {
		t.Errorf("restarted poll: NotModified=%v If-None-Match=%q", res.NotModified, fx.srv.lastINM)
	}
	// Even if the server ignores validators and sends everything again.
	fx.srv.set(doc, "")
	fx.p = fx.newPoller(t)
	res = fx.poll(t)
	if len(res.New) != 0 || res.Seen != 0 {
		t.Errorf("after restart: new=%q seen=%d, want nothing", titles(res.New), res.Seen)
	}
	if got := len(fx.store.pendingItems()); got != pendingBefore {
		t.Errorf("pending items %d → %d", pendingBefore, got)
	}
	if len(fx.new) != 2 {
		t.Errorf("OnNew delivered %d items over all runs, want 2", len(fx.new))
	}
}

// concurrencyServer records the most requests in flight at once per path
// prefix and overall.
type concurrencyServer struct {
	*httptest.Server
	inFlight, peak atomic.Int32
}

func newConcurrencyServer(t *testing.T, delay time.Duration) *concurrencyServer {
	cs := &concurrencyServer{}
	cs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := cs.inFlight.Add(1)
		for {
			p := cs.peak.Load()
			if n <= p || cs.peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(delay)
		cs.inFlight.Add(-1)
		fmt.Fprint(w, rssDoc("", testItem{GUID: r.URL.Path, Link: "https://news.example.org" + r.URL.Path, Title: "t", Pub: pollNow}))
	}))
	t.Cleanup(cs.Close)
	return cs
}

func pollAllConcurrently(t *testing.T, p *Poller, feeds []Feed) {
	t.Helper()
	var wg sync.WaitGroup
	for _, f := range feeds {
		wg.Go(func() {
			if _, err := p.PollOnce(context.Background(), f); err != nil {
				t.Errorf("%s: %v", f.Name, err)
			}
		})
	}
	wg.Wait()
}

func TestOneRequestAtATimePerHost(t *testing.T) {
	cs := newConcurrencyServer(t, 30*time.Millisecond)
	var feeds []Feed
	for i := range 4 {
		feeds = append(feeds, Feed{Name: fmt.Sprint("f", i), URL: fmt.Sprintf("%s/feed/%d", cs.URL, i)})
	}
	p := NewPoller(testFetcher(t, Limits{}), newFakeStore(), feeds, PollerOptions{Concurrency: 8, Now: func() time.Time { return pollNow }}, testLogger(t))
	pollAllConcurrently(t, p, feeds)
	if peak := cs.peak.Load(); peak != 1 {
		t.Errorf("peak concurrent requests to one host = %d, want 1", peak)
	}
}

func TestGlobalConcurrencyBound(t *testing.T) {
	// Distinct host names for the same server: 127.0.0.1 and localhost.
	cs := newConcurrencyServer(t, 30*time.Millisecond)
	port := cs.URL[strings.LastIndex(cs.URL, ":"):]
	feeds := []Feed{
		{Name: "a", URL: "http://127.0.0.1" + port + "/a"},
		{Name: "b", URL: "http://localhost" + port + "/b"},
	}
	run := func(concurrency int) int32 {
		cs.peak.Store(0)
		p := NewPoller(testFetcher(t, Limits{}), newFakeStore(), feeds, PollerOptions{Concurrency: concurrency, Now: func() time.Time { return pollNow }}, testLogger(t))
		for range 3 {
			pollAllConcurrently(t, p, feeds)
		}
		return cs.peak.Load()
	}
	if peak := run(1); peak != 1 {
		t.Errorf("Concurrency 1: peak = %d, want 1", peak)
	}
}

// A source that hangs never delays the others: with Run, the healthy
// source is polled again and again while the broken one is stuck.
func TestFailingSourceDoesNotSlowOthers(t *testing.T) {
	stuck := make(chan struct{})
	var hung atomic.Int32
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hung.Add(1)
		select {
		case <-stuck:
		case <-r.Context().Done():
		}
	}))
	defer bad.Close()
	defer close(stuck)
	good := newFeedServer(t, rssDoc("", hourly("g", 1, pollNow)...), "")

	st := newFakeStore()
	feeds := []Feed{
		{Name: "bad", URL: bad.URL, Interval: 10 * time.Millisecond},
		{Name: "good", URL: good.URL, Interval: 10 * time.Millisecond},
	}
	p := NewPoller(testFetcher(t, Limits{Timeout: time.Minute}), st, feeds, PollerOptions{Concurrency: 2}, testLogger(t))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()

	deadline := time.After(20 * time.Second)
	for {
		good.mu.Lock()
		n := good.requests
		good.mu.Unlock()
		if n >= 5 {
			break
		}
		select {
		case <-deadline:
			t.Fatalf("healthy source polled %d times while the other hung", n)
		case <-time.After(5 * time.Millisecond):
		}
	}
	if hung.Load() != 1 {
		t.Errorf("hung source requested %d times, want 1 (still in flight)", hung.Load())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v after cancel, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if st.state("good").LastSuccess.IsZero() {
		t.Error("good source has no recorded success")
	}
}

func TestInitialDelayResumesSchedule(t *testing.T) {
	st := newFakeStore()
	clock := newFakeClock(pollNow)
	p := NewPoller(nil, st, nil, PollerOptions{Now: clock.Now}, nil)
	feed := Feed{Name: "s", URL: "https://news.example.org/feed", Interval: 10 * time.Minute}
	_ = st.EnsureSource(context.Background(), "s", feed.URL)
	st.sources["s"].LastPoll = pollNow.Add(-4 * time.Minute)
	st.sources["s"].LastSuccess = pollNow.Add(-4 * time.Minute)
	// The rest of the interval, then on to the source's phase.
	d := p.initialDelay(context.Background(), feed)
	if d < 6*time.Minute || d >= 16*time.Minute {
		t.Errorf("initial delay = %v, want the rest of the interval (6m) up to its phase, within 16m", d)
	}
	if off := pollNow.Add(d).UnixNano() % int64(feed.Interval); off != int64(hashFraction("s")*float64(feed.Interval)) {
		t.Errorf("initial poll %v into its interval, not on its phase", time.Duration(off))
	}
	// A source in backoff stays in backoff across a restart.
	st.sources["s"].Failures = 3
	st.sources["s"].LastErrorAt = pollNow.Add(-time.Minute)
	if d := p.initialDelay(context.Background(), feed); d < 59*time.Minute {
		t.Errorf("initial delay in backoff = %v, want about 59m", d)
	}
}

func TestRunWithoutFeedsWaitsForCancel(t *testing.T) {
	p := NewPoller(testFetcher(t, Limits{}), newFakeStore(), nil, PollerOptions{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	select {
	case err := <-done:
		t.Fatalf("Run returned %v before cancel", err)
	case <-time.After(50 * time.Millisecond):
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v after cancel, want nil", err)
	}
}

// blockingSourceStore holds every Source read until release is closed,
// counting the readers waiting.
type blockingSourceStore struct {
	*fakeStore
	release chan struct{}
	waiting atomic.Int32
}

func (s *blockingSourceStore) Source(ctx context.Context, name string) (store.SourceState, error) {
	s.waiting.Add(1)
	select {
	case <-s.release:
	case <-ctx.Done():
	}
	return s.fakeStore.Source(ctx, name)
}

// Starting thousands of feeds must not park a goroutine per feed: their
// descriptors would stay allocated for the process's life.
func TestStartingFeedsHoldsFewGoroutines(t *testing.T) {
	const n = 2000
	st := &blockingSourceStore{fakeStore: newFakeStore(), release: make(chan struct{})}
	feeds := make([]Feed, n)
	for i := range feeds {
		feeds[i] = Feed{Name: fmt.Sprintf("feed-%d", i), URL: fmt.Sprintf("https://news.example.org/%d.xml", i), Interval: time.Hour}
	}
	p := NewPoller(nil, st, feeds, PollerOptions{Concurrency: 2}, nil)
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	// Every turn is taken by a first step reading the store.
	turns := int32(cap(p.turns))
	for deadline := time.Now().Add(10 * time.Second); st.waiting.Load() < turns; {
		if time.Now().After(deadline) {
			t.Fatalf("%d first steps reading the store, want %d", st.waiting.Load(), turns)
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // let any goroutine per feed appear
	// Run's, the starters (one per turn) and a few the test makes.
	if got, limit := runtime.NumGoroutine()-before, int(turns)+4; got > limit {
		t.Errorf("%d goroutines while %d feeds start, want at most %d", got, n, limit)
	}
	close(st.release)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

// A feed removed while its step waits in the queue stops at once: SetFeeds
// does not wait for the feeds ahead of it.
func TestRemovingAQueuedFeedDoesNotWaitForTheQueue(t *testing.T) {
	st := &blockingSourceStore{fakeStore: newFakeStore(), release: make(chan struct{})}
	feeds := make([]Feed, 100)
	for i := range feeds {
		feeds[i] = Feed{Name: fmt.Sprintf("feed-%d", i), URL: fmt.Sprintf("https://news.example.org/%d.xml", i), Interval: time.Hour}
	}
	p := NewPoller(nil, st, feeds, PollerOptions{Concurrency: 1}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() {
		close(st.release)
		cancel()
		<-done
	}()
	for deadline := time.Now().Add(10 * time.Second); st.waiting.Load() < int32(cap(p.turns)); {
		if time.Now().After(deadline) {
			t.Fatalf("%d first steps reading the store, want %d", st.waiting.Load(), cap(p.turns))
		}
		time.Sleep(time.Millisecond)
	}
	// The last feed's first step is queued behind the blocked ones.
	set := make(chan error, 1)
	go func() { set <- p.SetFeeds(ctx, feeds[:len(feeds)-1]) }()
	select {
	case err := <-set:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("SetFeeds waited for the queue to reach the removed feed")
	}
}
