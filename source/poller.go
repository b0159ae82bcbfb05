package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

// Store is the part of store.Store the poller needs. The store decides
// what is new: RecordPoll inserts only items whose key, or link within the
// source, it has not seen, so nothing is emitted twice, across restarts too.
type Store interface {
	EnsureSource(ctx context.Context, name, url string) error
	Source(ctx context.Context, name string) (store.SourceState, error)
	RecordPoll(ctx context.Context, source string, p store.Poll) ([]story.Item, error)
	RecordFailure(ctx context.Context, source string, at time.Time, reason string) (int, error)
	// SetSourceWarning notes (or, with "", clears) a successful poll that
	// looked wrong, for the source's health.
	SetSourceWarning(ctx context.Context, source, warning string, at time.Time) error
	// Lease shares polls between instances using one database: an
	// instance polls a source only while it holds "poll:"+name (see
	// store.Store.Lease).
	Lease(ctx context.Context, name, owner string, now, until time.Time) (held bool, heldUntil time.Time, err error)
}

// storeWriteTimeout bounds a store write that must finish even while the
// poller shuts down, so an in-flight poll is recorded rather than lost.
const storeWriteTimeout = 15 * time.Second

// PollResult summarises one poll.
type PollResult struct {
	// NotModified is set when the server answered 304.
	NotModified bool
	// Items is how many items the document held after normalisation.
	Items int
	// New are the items newly recorded as pending, with their store IDs.
	New []story.Item
	// Seen counts items newly recorded as seen (first-poll backlog, old
	// items, and Capped).
	Seen int
	// Capped counts new items recorded as seen, not pending, because the
	// poll had more than PollerOptions.MaxNewPerPoll.
	Capped int
}

// Poller polls configured feeds on a jittered schedule and records what it
// finds in the store.
type Poller struct {
	fetcher *Fetcher
	store   Store
	feeds   []Feed // guarded by set.mu once Run starts; see SetFeeds
	set     feedSet
	// prompt holds the feeds SetFeeds started while running: one never
	// polled before is polled at once rather than at its phase, so a feed
	// a server adds (or a reload brings) is read within seconds.
	prompt sync.Map
	opts   PollerOptions
	log    *slog.Logger

	global chan struct{} // global concurrency bound
	turns  chan struct{} // polls under way, fetching or not (see inTurn)

	startMu  sync.Mutex
	starts   []func() // feeds' steps waiting for a starter (see start)
	starters int

	mu      sync.Mutex
	hosts   map[string]chan struct{} // one request at a time per host
	sources map[string]*sync.Mutex   // one poll or push at a time per source

	push  *webSub    // nil unless WebSub is configured
	sched *scheduler // phases and learned intervals (schedule.go)

	// parse is Parse; tests count calls to show that a 304 costs no parse.
	parse func(body []byte, contentType, baseURL string) (*Document, error)
}

// NewPoller returns a Poller for feeds. Zero fields of opts take defaults.
func NewPoller(fetcher *Fetcher, st Store, feeds []Feed, opts PollerOptions, log *slog.Logger) *Poller {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts = opts.withDefaults()
	p := &Poller{
		fetcher: fetcher,
		store:   st,
		feeds:   append([]Feed(nil), feeds...),
		opts:    opts,
		log:     log,
		global:  make(chan struct{}, opts.Concurrency),
		turns:   make(chan struct{}, turnsPerSlot*opts.Concurrency),
		hosts:   map[string]chan struct{}{},
		sources: map[string]*sync.Mutex{},
		parse:   Parse,
	}
	p.sched = newScheduler(feeds, opts.DefaultInterval, opts.MinInterval, opts.MaxInterval, opts.Now)
	p.store = scheduleNoter{st, p}
	if opts.WebSub != nil && opts.WebSub.CallbackBase != "" {
		p.push = newWebSub(p, *opts.WebSub)
	}
	return p
}

// Run polls every feed until ctx is cancelled, then waits for polls in
// flight to finish recording and returns nil. It returns an error only if
// the sources cannot be registered in the store at start. SetFeeds
// changes the feeds while it runs.
func (p *Poller) Run(ctx context.Context) error {
	feeds := p.Feeds()
	for _, f := range feeds {
		if err := p.store.EnsureSource(ctx, f.Name, f.URL); err != nil {
			return fmt.Errorf("source: registering source %q in the store: %w", f.Name, err)
		}
	}
	p.log.Info("polling sources", slog.Int("sources", len(feeds)), slog.Int("concurrency", p.opts.Concurrency))
	p.runFeeds(ctx) // with no feeds, still runs until asked to stop
	return nil
}

// feedLoop is one feed's schedule. Each feed has its own, so a slow or
// failing source only ever delays itself. The schedule is a chain of
// timers, not a goroutine: a source waiting for its next poll holds no
// stack (a parked goroutine per source kept 4 KiB or more each, 40 MiB
// at 10,000 sources), and each poll runs on one of a few goroutines
// (see start), whose deep stacks are returned when no step is due. A waiting feed holds only this
// struct and its timer: a context, a context.AfterFunc and the closures
// per feed held about 0.7 KiB more, 7 MiB at 10,000 sources; the context
// a step's calls need is made for the step (see begin).
//
// Instances sharing a database share the polls: each poll is made under
// the source's lease, which the poller then keeps until the next poll is
// due, so no other instance polls early. When it is due, every instance
// tries within claimSpread of that time and one wins at random, which
// spreads polls over the instances and lets the others take over a dead
// one's sources as soon as they are due.
type feedLoop struct {
	p    *Poller
	feed Feed
	ctx  context.Context // Run's: its end ends the schedule
	done func()          // called once the schedule has ended

	mu      sync.Mutex
	timer   *time.Timer        // the next step's, once armed
	cancel  context.CancelFunc // the step under way's, if any
	stopped bool               // stop was called
	ended   bool
}

// loop starts feed's schedule and returns it; done is called once the
// schedule has stopped (after stop or ctx's end), its last poll recorded.
func (p *Poller) loop(ctx context.Context, feed Feed, done func()) *feedLoop {
	l := &feedLoop{p: p, feed: feed, ctx: ctx, done: done}
	p.start(l.first)
	return l
}

// first resumes the schedule from what the store remembers.
func (l *feedLoop) first() {
	l.run(func(ctx context.Context) (time.Duration, bool) {
		return l.p.initialDelay(ctx, l.feed), false
	})
}

// due queues the step whose timer has fired: its goroutine ends at once
// rather than wait for a turn. When polls fall behind (a loaded machine),
// thousands of fired timers' goroutines each waited for one, 2,000–4,000
// at 10,000 sources and 11–20 MiB of stacks.
func (l *feedLoop) due() { l.p.start(l.step) }

// step is one due poll.
func (l *feedLoop) step() {
	l.run(func(ctx context.Context) (time.Duration, bool) {
		// The logger is made per poll: kept per source, the JSON handler's
		// preformatted attributes held 8 MiB at 10,000 sources.
		log := l.p.log.With(slog.String("source", l.feed.Name))
		return l.p.turn(ctx, l.feed, log)
	})
}

// run does one step's work in a turn, then arms the next step after the
// wait it returns, or ends the schedule when stopping or told to stop.
func (l *feedLoop) run(work func(context.Context) (wait time.Duration, stop bool)) {
	ctx, ok := l.begin()
	if !ok {
		l.end()
		return
	}
	var wait time.Duration
	var stop bool
	ran := l.p.inTurn(ctx, func() { wait, stop = work(ctx) })
	l.finish()
	if !ran || stop {
		l.end()
		return
	}
	l.arm(wait)
}

// begin makes the context of a step, which stop cancels; false means the
// schedule is stopping.
func (l *feedLoop) begin() (context.Context, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped || l.ctx.Err() != nil {
		return nil, false
	}
	ctx, cancel := context.WithCancel(l.ctx)
	l.cancel = cancel
	return ctx, true
}

func (l *feedLoop) finish() {
	l.mu.Lock()
	cancel := l.cancel
	l.cancel = nil
	l.mu.Unlock()
	cancel()
}

// arm schedules the next step, unless the schedule is stopping.
func (l *feedLoop) arm(wait time.Duration) {
	l.mu.Lock()
	if l.stopped || l.ctx.Err() != nil {
		l.mu.Unlock()
		l.end()
		return
	}
	if l.timer == nil {
		l.timer = time.AfterFunc(wait, l.due)
	} else {
		l.timer.Reset(wait) // it has fired: this step is its call
	}
	l.mu.Unlock()
}

// stop ends the schedule: a step under way is cut off and ends it itself;
// otherwise no poll is under way (the timer is pending, or its step is
// queued and will find the schedule stopped) and it ends here, so that
// SetFeeds need not wait for a queued step's turn. The poller calls it
// for every feed once Run's context ends, as it does for a feed SetFeeds
// removes.
func (l *feedLoop) stop() {
	l.mu.Lock()
	l.stopped = true
	if l.cancel != nil {
		l.cancel()
		l.mu.Unlock()
		return
	}
	if l.timer != nil {
		l.timer.Stop()
	}
	l.mu.Unlock()
	l.end()
}

func (l *feedLoop) end() {
	l.mu.Lock()
	ended := l.ended
	l.ended = true
	l.mu.Unlock()
	if !ended {
		l.done()
	}
}

// start runs f, a feed's step, on one of at most cap(p.turns) starter
// goroutines, in the order the steps came due. A goroutine per feed,
// each waiting for its turn, made 10,000 at once when 10,000 sources
// started: their descriptors stay allocated for the process's life
// (4.6 MiB) and their stacks made the start's peak.
func (p *Poller) start(f func()) {
	p.startMu.Lock()
	defer p.startMu.Unlock()
	p.starts = append(p.starts, f)
	if p.starters < cap(p.turns) {
		p.starters++
		go p.runStarts()
	}
}

func (p *Poller) runStarts() {
	for {
		p.startMu.Lock()
		if len(p.starts) == 0 {
			p.starters--
			p.starts = nil // the backing array held every feed's first step
			p.startMu.Unlock()
			return
		}
		f := p.starts[0]
		p.starts[0] = nil
		p.starts = p.starts[1:]
		p.startMu.Unlock()
		f()
	}
}

// inTurn runs f once fewer than turnsPerSlot·Concurrency others are
// running; false means ctx ended first and f did not run. When polls fall
// behind, a source waiting for a fetch slot would otherwise hold a poll's
// deep stack and buffers meanwhile: at 10,000 sources on a loaded machine,
// 16,600 goroutines and 93 MiB of stacks.
func (p *Poller) inTurn(ctx context.Context, f func()) bool {
	select {
	case p.turns <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	defer func() { <-p.turns }()
	f()
	return true
}

// turnsPerSlot: polls may be under way beyond those fetching, reading
// state, recording and holding leases in the store meanwhile.
const turnsPerSlot = 4

// turn is one due poll of feed: claim its lease, poll, keep the lease
// until the next poll. It returns the wait before the next turn, or stop
// when the poller is shutting down.
func (p *Poller) turn(ctx context.Context, feed Feed, log *slog.Logger) (wait time.Duration, stop bool) {
	wait, ok := p.claim(ctx, feed, log)
	if ctx.Err() != nil {
		if ok { // claimed just as shutdown began: hand it over
			p.keep(ctx, feed, 0, log)
		}
		return 0, true
	}
	if !ok {
		return wait, false
	}
	// A successful poll keeps the lease until its next poll in the
	// transaction that records it (one write, not two); a failed one
	// keeps it here.
	res, failures, next, err := p.pollKeeping(ctx, feed, true)
	if ctx.Err() != nil {
		// Shutting down: a poll cut off is handed over at once; a
		// finished one keeps the source until its next poll is due.
		if err != nil {
			p.keep(ctx, feed, 0, log)
		}
		return 0, true
	}
	if err != nil {
		next = p.nextDelay(feed, failures, err)
		p.keep(ctx, feed, next, log)
	}
	next += p.claimJitter(feed)
	switch {
	case err != nil:
		log.Warn("poll failed", slog.String("reason", Reason(err)), slog.Int("attempt", failures),
			slog.Duration("next_in", next), slog.Any("err", err))
	default:
		log.Debug("polled", slog.Bool("not_modified", res.NotModified), slog.Int("items", res.Items),
			slog.Int("new", len(res.New)), slog.Int("seen", res.Seen), slog.Duration("next_in", next))
	}
	return next, false
}

// leaseName is the lease under which a source is polled.
func leaseName(feed Feed) string { return "poll:" + feed.Name }

// claim takes the source's poll lease for this poll. When another instance
// holds it, it returns how long to wait before trying again: until that
// lease ends or an interval has passed, plus jitter, so the instances do
// not all try at once.
func (p *Poller) claim(ctx context.Context, feed Feed, log *slog.Logger) (time.Duration, bool) {
	now := p.opts.Now()
	// The lease outlasts a poll by far, so no other instance starts one
	// meanwhile; if this instance dies, another polls once it expires.
	until := now.Add(max(p.interval(feed), minPollLease))
	held, heldUntil, err := p.store.Lease(ctx, leaseName(feed), p.opts.Owner, now, until)
	switch {
	case err != nil:
		if ctx.Err() != nil {
			return 0, false
		}
		wait := min(p.interval(feed), time.Minute)
		log.Warn("taking the source's poll lease failed; will retry", slog.Duration("retry_in", wait), slog.Any("err", err))
		return wait, false
	case !held:
		// While the holder polls, its lease runs far past its next poll:
		// come back by then, so every instance has a chance at that one.
		return min(max(heldUntil.Sub(now), 0), p.interval(feed)) + p.claimJitter(feed), false
	}
	return 0, true
}

// keep holds the poll lease until the next poll is due, so that no other
// instance polls the source before then. If another took the lease over
// meanwhile (this poll outlasted it), it keeps it and nothing is changed.
func (p *Poller) keep(ctx context.Context, feed Feed, next time.Duration, log *slog.Logger) {
	now := p.opts.Now()
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeWriteTimeout)
	defer cancel()
	if _, _, err := p.store.Lease(wctx, leaseName(feed), p.opts.Owner, now, now.Add(max(next, time.Millisecond))); err != nil {
		log.Warn("keeping the source's poll lease failed; another instance may poll it early", slog.Any("err", err))
	}
}

// claimJitter spreads the instances' attempts to take a lease that has
// just expired, so the winner is random: claimSpread, or a tenth of the
// interval for feeds polled more often than every 20s.
func (p *Poller) claimJitter(feed Feed) time.Duration {
	return jitterUpTo(min(claimSpread, p.interval(feed)/10))
}

// claimSpread and minPollLease shape poll leases; see claim and claimJitter.
const (
	claimSpread  = 2 * time.Second
	minPollLease = time.Minute
)

// initialDelay resumes a source's schedule from what the store remembers,
// so a restart neither hammers a feed nor forgets a backoff, and starts
// it at its phase of the interval, so first polls are spread over it.
func (p *Poller) initialDelay(ctx context.Context, feed Feed) time.Duration {
	interval := p.interval(feed)
	now := p.opts.Now()
	spread := p.sched.first(feed, interval, now, now)
	_, added := p.prompt.LoadAndDelete(feed.Name)
	st, err := p.store.Source(ctx, feed.Name)
	if err != nil {
		return spread
	}
	last := st.LastPoll
	for _, t := range []time.Time{st.LastSuccess, st.LastErrorAt} {
		if t.After(last) {
			last = t
		}
	}
	if last.IsZero() {
		if added {
			return 0
		}
		return spread
	}
	due := interval
	if st.Failures > 0 {
		due = p.backoff(interval, st.Failures)
	}
	return p.sched.first(feed, interval, now, last.Add(due))
}

// PollOnce fetches feed once and records the outcome in the store, exactly
// as the scheduled loop does. Errors are returned after being recorded as
// the source's health.
func (p *Poller) PollOnce(ctx context.Context, feed Feed) (PollResult, error) {
	res, _, err := p.poll(ctx, feed)
	return res, err
}

// poll is PollOnce plus the consecutive failure count for scheduling.
func (p *Poller) poll(ctx context.Context, feed Feed) (PollResult, int, error) {
	res, failures, _, err := p.pollKeeping(ctx, feed, false)
	return res, failures, err
}

// pollKeeping is poll; with keep, a successful poll also schedules the
// next one and, in the same store write, keeps the source's poll lease
// until then (see keep), returning the wait.
func (p *Poller) pollKeeping(ctx context.Context, feed Feed, keep bool) (PollResult, int, time.Duration, error) {
	unlock := p.lockSource(feed.Name)
	defer unlock()

	st, err := p.sourceState(ctx, feed)
	if err != nil {
		return PollResult{}, 0, 0, err
	}
	release, err := p.acquire(ctx, feed.URL)
	if err != nil {
		return PollResult{}, 0, 0, err
	}
	resp, err := p.fetcher.Fetch(ctx, feed.URL, Validators{ETag: st.ETag, LastModified: st.LastModified})
	release()
	now := p.opts.Now().UTC()
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeWriteTimeout)
	defer cancel()
	if err != nil {
		res, failures, err := p.fail(wctx, ctx, feed, now, err)
		return res, failures, 0, err
	}
	// keeping is the lease the poll's record keeps, and next the wait it
	// is kept for (see turn).
	var (
		keeping store.LeaseKeep
		next    time.Duration
	)
	scheduleNext := func() {
		if keep {
			next = p.nextDelay(feed, 0, nil)
			keeping = store.LeaseKeep{Name: leaseName(feed), Owner: p.opts.Owner, Until: now.Add(max(next, time.Millisecond))}
		}
	}
	if resp.NotModified {
		// A 304 costs no parse: validators stay, health is refreshed.
		scheduleNext()
		_, err := p.store.RecordPoll(wctx, feed.Name, store.Poll{
			At: now, NotModified: true, ETag: resp.ETag, LastModified: resp.LastModified, Keep: keeping,
		})
		if err != nil {
			return PollResult{}, 0, 0, fmt.Errorf("source %q: recording a not-modified poll: %w", feed.Name, err)
		}
		p.maybeSubscribe(ctx, feed, resp.Hubs, resp.Self)
		return PollResult{NotModified: true}, 0, next, nil
	}
	doc, err := p.parse(resp.Body, resp.ContentType, resp.URL)
	if err != nil {
		res, failures, err := p.fail(wctx, ctx, feed, now, err)
		return res, failures, 0, err
	}
	items := Normalize(doc.Feed, feed, resp.URL, now)
	p.sched.observe(feed.Name, items, hintsFrom(resp.Header, doc, now), now)
	scheduleNext() // after observe: this poll's items may change the interval
	res, err := p.record(wctx, feed, st, items, resp.ETag, resp.LastModified, now, keeping)
	if err != nil {
		return res, 0, 0, err
	}
	p.maybeSubscribe(ctx, feed, append(resp.Hubs, doc.Hubs...), firstNonEmpty(resp.Self, doc.Self))
	return res, 0, next, nil
}

// fail records a failed poll and returns the failure count for backoff.
func (p *Poller) fail(wctx, ctx context.Context, feed Feed, now time.Time, cause error) (PollResult, int, error) {
	if errors.Is(cause, context.Canceled) && ctx.Err() != nil {
		return PollResult{}, 0, cause // shutting down: not the source's fault
	}
	failures, err := p.store.RecordFailure(wctx, feed.Name, now, Reason(cause))
	if err != nil {
		return PollResult{}, 0, errors.Join(cause, fmt.Errorf("source %q: recording the failure: %w", feed.Name, err))
	}
	return PollResult{}, failures, fmt.Errorf("source %q: %w", feed.Name, cause)
}

// record classifies items as pending or seen, stores them and notifies.
// keep, when its Name is set, is a lease the record keeps (store.Poll.Keep).
func (p *Poller) record(ctx context.Context, feed Feed, st store.SourceState, items []story.Item, etag, lastModified string, now time.Time, keep store.LeaseKeep) (PollResult, error) {
	pending := p.classify(feed, st.Primed, items, now)
	poll := store.Poll{At: now, ETag: etag, LastModified: lastModified, Items: make([]store.NewItem, len(items)),
		MaxPending: p.opts.MaxNewPerPoll, Keep: keep}
	pendingKeys := map[string]bool{}
	for i, it := range items {
		poll.Items[i] = store.NewItem{Item: it, Pending: pending[i]}
		if pending[i] {
			pendingKeys[it.Key] = true
		}
	}
	inserted, err := p.store.RecordPoll(ctx, feed.Name, poll)
	if err != nil {
		return PollResult{}, fmt.Errorf("source %q: recording %d items: %w", feed.Name, len(items), err)
	}
	res := PollResult{Items: len(items)}
	for _, it := range inserted {
		// The store returns pending items first; those past MaxPending
		// were inserted as seen and come after them.
		if pendingKeys[it.Key] && len(res.New) < p.opts.MaxNewPerPoll {
			res.New = append(res.New, it)
			continue
		}
		if pendingKeys[it.Key] {
			res.Capped++
		}
		res.Seen++
	}
	if len(res.New) > 0 && p.opts.OnNew != nil {
		p.opts.OnNew(feed.Name, res.New)
	}
	p.noteHealth(ctx, feed, st, res, now)
	return res, nil
}

// classify decides which items may enter the pipeline if the store has not
// seen them: none older than MaxItemAge, and on a source's first poll only
// the newest Backfill items.
func (p *Poller) classify(feed Feed, primed bool, items []story.Item, now time.Time) []bool {
	pending := make([]bool, len(items))
	cutoff := now.Add(-p.opts.MaxItemAge)
	for i, it := range items {
		pending[i] = !it.Published.Before(cutoff)
	}
	if primed {
		return pending
	}
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	// Newest first; document order breaks ties (feeds list newest first).
	sort.SliceStable(order, func(a, b int) bool {
		return items[order[a]].Published.After(items[order[b]].Published)
	})
	kept := 0
	for _, i := range order {
		if pending[i] && kept < feed.Backfill {
			kept++
			continue
		}
		pending[i] = false
	}
	return pending
}

// sourceState reads the source's state, registering it if it is new
// (PollOnce may be called for feeds Run never saw).
func (p *Poller) sourceState(ctx context.Context, feed Feed) (store.SourceState, error) {
	st, err := p.store.Source(ctx, feed.Name)
	if errors.Is(err, store.ErrNotFound) {
		if err := p.store.EnsureSource(ctx, feed.Name, feed.URL); err != nil {
			return st, fmt.Errorf("source %q: registering in the store: %w", feed.Name, err)
		}
		st, err = p.store.Source(ctx, feed.Name)
	}
	if err != nil {
		return st, fmt.Errorf("source %q: reading its state from the store: %w", feed.Name, err)
	}
	return st, nil
}

// Acquire takes the same per-host and global request slots as polls, for
// other requests to a feed's sites (article pages, their robots.txt), so
// those never add to the load polls are bounded to. Call release when the
// request is done.
func (p *Poller) Acquire(ctx context.Context, rawURL string) (release func(), err error) {
	return p.acquire(ctx, rawURL)
}

// acquire takes the feed host's slot, then a global slot. The host slot
// comes first so that waiting for a busy host never holds a global slot
// that other hosts could use.
func (p *Poller) acquire(ctx context.Context, rawURL string) (release func(), err error) {
	// The host with its port: servers on different ports are different
	// servers (and in tests, different sources on 127.0.0.1).
	host := rawURL
	if u, err := url.Parse(rawURL); err == nil && u.Host != "" {
		host = strings.ToLower(u.Host)
	}
	p.mu.Lock()
	h, ok := p.hosts[host]
	if !ok {
		h = make(chan struct{}, 1)
		p.hosts[host] = h
	}
	p.mu.Unlock()
	select {
	case h <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case p.global <- struct{}{}:
	case <-ctx.Done():
		<-h
		return nil, ctx.Err()
	}
	return func() { <-p.global; <-h }, nil
}

func (p *Poller) lockSource(name string) func() {
	p.mu.Lock()
	m, ok := p.sources[name]
	if !ok {
		m = &sync.Mutex{}
		p.sources[name] = m
	}
	p.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// interval is the feed's polling interval (see scheduler.interval),
// stretched while push delivers.
func (p *Poller) interval(feed Feed) time.Duration {
	d, _ := p.sched.interval(feed)
	if p.push != nil {
		d = p.push.pollInterval(feed.Name, d, p.opts.Now())
	}
	return d
}

// nextDelay is the wait before the next poll: the interval, landing on
// the feed's phase, after a success; after a failure an exponential backoff with jitter, at least
// the interval and at most MaxBackoff, or the server's Retry-After if that
// is longer.
func (p *Poller) nextDelay(feed Feed, failures int, err error) time.Duration {
	interval := p.interval(feed)
	if err == nil || failures == 0 {
		return p.sched.next(feed, interval, p.opts.Now())
	}
	d := p.backoff(interval, failures)
	// Equal jitter: half fixed, half random, so failing sources spread out.
	d = d/2 + jitterUpTo(d/2)
	d = max(d, interval)
	var se *StatusError
	if errors.As(err, &se) && se.RetryAfter > d {
		d = se.RetryAfter
	}
	return d
}

// backoff is interval·2^failures, capped at MaxBackoff (but never below
// the interval itself).
func (p *Poller) backoff(interval time.Duration, failures int) time.Duration {
	d := interval
	for i := 0; i < failures && d < p.opts.MaxBackoff; i++ {
		d *= 2
	}
	return max(min(d, p.opts.MaxBackoff), interval)
}

func jitterUpTo(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(d)))
}

// Preview fetches a feed URL, or reads a local feed file, once and returns
// the feed's title and its normalised items. It touches no store; it is
// what `briefbot preview` shows.
func Preview(ctx context.Context, f *Fetcher, target string, now time.Time) (title string, items []story.Item, err error) {
	var body []byte
	var contentType, docURL string
	if u, perr := url.Parse(target); perr == nil && (u.Scheme == "http" || u.Scheme == "https") {
		resp, err := f.Fetch(ctx, target, Validators{})
		if err != nil {
			return "", nil, err
		}
		body, contentType, docURL = resp.Body, resp.ContentType, resp.URL
	} else {
		if body, err = readFileLimited(target, f.limits.MaxBodyBytes); err != nil {
			return "", nil, err
		}
	}
	doc, err := Parse(body, contentType, docURL)
	if err != nil {
		return "", nil, err
	}
	name := target
	if docURL == "" {
		name = filepath.Base(target)
	}
	return PlainText(doc.Feed.Title), Normalize(doc.Feed, Feed{Name: name, URL: docURL}, docURL, now), nil
}

func readFileLimited(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("source: %q is neither an http(s) URL nor a readable file: %w", path, err)
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, fmt.Errorf("source: reading %s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, newError(ErrTooLarge, "file larger than "+formatBytes(limit), nil)
	}
	return b, nil
}
