// Package poster delivers briefings to Discord. A [Poster] drains the
// store's delivery outbox: it claims due deliveries, renders their stories
// with the bot package, posts each message through its own request (with a
// nonce derived from the delivery, enforce_nonce and allowed_mentions parsing
// nothing) and records the outcome. A [Digester] turns digest subscriptions
// into digest deliveries at their times.
//
// Exactly once: a delivery is recorded sent only with the message ID
// Discord returned. A send whose outcome is unknown (a 5xx, a timeout, a
// crash before recording) is retried with the same nonce, and Discord
// answers a repeated nonce with the message it already created, for a few
// minutes. That is why retries after an unknown outcome stay under two
// minutes apart.
package poster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/pipeline"
	"github.com/briefbot/briefbot/store"
)

// Store is the part of store.Store the poster uses.
type Store interface {
	Story(ctx context.Context, id int64) (store.Story, error)
	StoryMessage(ctx context.Context, channelID string, storyID int64) (messageID string, err error)
	ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]store.Delivery, error)
	DeliverySent(ctx context.Context, id int64, messageID string, at time.Time) error
	DeliveryRetry(ctx context.Context, id int64, notBefore time.Time, reason string) error
	DeliveryFailed(ctx context.Context, id int64, reason string, at time.Time) error
	DeliveryDropped(ctx context.Context, id int64, reason string, at time.Time) error
}

// Counters observe the poster; nil fields are ignored. Causes are short,
// fixed labels (see the cause* constants), fit for a metric label.
type Counters struct {
	// Posted is called for each delivery recorded sent, with how long after
	// its story was first seen (a digest: after its slot) it was posted.
	Posted func(kind store.DeliveryKind, latency time.Duration)
	// Retried is called for each send put off to later.
	Retried func(cause string)
	// Failed is called for each delivery given up for good.
	Failed func(cause string)
}

// Labels passed to Counters.
const (
	CauseRateLimit      = "rate_limit"
	CauseServerError    = "server_error" // 5xx, or a response that could not be read
	CauseNetwork        = "network"
	CauseStore          = "store"
	CauseUnauthorized   = "unauthorized"
	CauseUnknownChannel = "unknown_channel"
	CauseMissingAccess  = "missing_access"
	CauseMissingPerms   = "missing_permissions"
	CauseRejected       = "rejected" // another 4xx: Discord refused the message
	CauseGaveUp         = "gave_up"
)

// Options configure a Poster. Session, Store and Owner are required.
type Options struct {
	Session *discordgo.Session
	Store   Store
	// Owner names this instance in delivery claims.
	Owner string
	// Lease is how long a claim lasts; a crashed poster's deliveries are
	// due again after it. Default 1m.
	Lease time.Duration
	// Batch is how many deliveries one claim takes. Default 20.
	Batch int
	// Concurrency is how many channels are posted to at once; one
	// channel's deliveries always go in order. Default 4.
	Concurrency int
	// PollInterval is how often the outbox is checked without a Wake (for
	// deliveries other instances released, or expired leases). Default 5s.
	PollInterval time.Duration
	// MaxAttempts is how many claims a delivery failing with transient
	// errors gets before it is given up, as long as Discord accepts other
	// messages meanwhile. Default 10.
	MaxAttempts int
	// SendTimeout bounds one message request. A request in flight when Run's
	// context ends may finish within it. Default 20s.
	SendTimeout time.Duration
	// OutletName turns a configured source name into the outlet name
	// shown; nil shows the source name.
	OutletName func(source string) string
	// SourceVisible reports whether a server may see a source's items: a
	// server's own feed (store.GuildSourcePrefix) is not shown to servers
	// that did not add it, even in a story another outlet brought them.
	// Nil shows every source.
	SourceVisible func(guildID, source string) bool
	Log           *slog.Logger
	Now           func() time.Time
	Counters      Counters
}

// Defaults for Options.
const (
	DefaultLease        = time.Minute
	DefaultBatch        = 20
	DefaultConcurrency  = 4
	DefaultPollInterval = 5 * time.Second
	DefaultMaxAttempts  = 10
	DefaultSendTimeout  = 20 * time.Second

	// backoffBase and backoffCap shape retries after a transient error. The
	// cap stays well inside Discord's nonce window ("a few minutes"), so
	// the retry of a message Discord may have created is still deduplicated.
	backoffBase = 2 * time.Second
	backoffCap  = 2 * time.Minute
	// storeRetry is the wait after the store itself failed.
	storeRetry = 5 * time.Second
	// outageWindow: a delivery is given up after MaxAttempts only if
	// Discord accepted some message within this window; otherwise Discord
	// (or the network) is down and giving up would pause healthy channels.
	outageWindow = 15 * time.Minute
)

// ErrUnauthorized means Discord rejected the bot token.
var ErrUnauthorized = errors.New("poster: Discord rejected the bot token (401 Unauthorized): check DISCORD_TOKEN")

// Poster drains the delivery outbox into Discord.
type Poster struct {
	o    Options
	log  *slog.Logger
	wake chan struct{}

	mu          sync.Mutex
	retries     []time.Time // retries this poster scheduled, to wake for them
	lastClaim   time.Time   // the time of the last successful claim
	lastSuccess time.Time
	fatal       error
}

// New returns a poster; it does nothing until Run.
func New(o Options) (*Poster, error) {
	switch {
	case o.Session == nil:
		return nil, errors.New("poster: Options.Session is nil; pass the discordgo session")
	case o.Store == nil:
		return nil, errors.New("poster: Options.Store is nil; pass the store")
	case o.Owner == "":
		return nil, errors.New("poster: Options.Owner is empty; name this instance (hostname and pid will do)")
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.Batch <= 0 {
		o.Batch = DefaultBatch
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = DefaultSendTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Poster{o: o, log: o.Log, wake: make(chan struct{}, 1)}, nil
}

// Wake makes Run look for due deliveries now. It never blocks.
func (p *Poster) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Sink returns a pipeline sink that wakes the poster: the store created the
// story's deliveries with the decision, so there is nothing else to do.
func (p *Poster) Sink() pipeline.Sink { return sink{p} }

type sink struct{ p *Poster }

func (s sink) Publish(context.Context, pipeline.Briefing) error {
	s.p.Wake()
	return nil
}

// Run posts due deliveries until ctx ends, then returns nil once sends in
// flight are recorded. It returns an error only when posting cannot work
// at all (ErrUnauthorized).
func (p *Poster) Run(ctx context.Context) error {
	for {
		full, err := p.drainOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err := p.fatalErr(); err != nil {
			return err
		}
		wait := p.o.PollInterval
		switch {
		case err != nil:
			p.log.Error("poster: claiming deliveries failed; will retry", slog.Any("err", err), slog.Duration("retry_in", storeRetry))
			wait = storeRetry
		case full:
			wait = 0 // more may be due
		}
		if next := p.nextRetry(); !next.IsZero() && wait > 0 {
			wait = min(wait, max(next.Sub(p.o.Now()), 0))
		}
		// Under Discord's global rate limit, claiming would only hold
		// deliveries without sending them.
		wait = max(wait, globalWait(p.o.Session))
		if wait == 0 {
			continue
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-p.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// drainOnce claims one batch and posts it. full reports a full batch.
func (p *Poster) drainOnce(ctx context.Context) (full bool, err error) {
	if gw := globalWait(p.o.Session); gw > 0 {
		return false, nil
	}
	claimedAt := p.o.Now()
	ds, err := p.o.Store.ClaimDeliveries(ctx, p.o.Owner, claimedAt, p.o.Lease, p.o.Batch)
	if err != nil {
		return false, fmt.Errorf("poster: claim deliveries: %w", err)
	}
	p.mu.Lock()
	p.lastClaim = claimedAt
	p.mu.Unlock()
	if len(ds) == 0 {
		return false, nil
	}

	// One channel's deliveries go in claim order (oldest first) on one
	// worker, so its messages appear in order; channels run in parallel.
	var channels [][]store.Delivery
	index := map[string]int{}
	for _, d := range ds {
		i, ok := index[d.ChannelID]
		if !ok {
			i = len(channels)
			index[d.ChannelID] = i
			channels = append(channels, nil)
		}
		channels[i] = append(channels[i], d)
	}
	work := make(chan []store.Delivery)
	var wg sync.WaitGroup
	for range min(p.o.Concurrency, len(channels)) {
		wg.Go(func() {
			for ch := range work {
				p.postChannel(ctx, ch, claimedAt)
			}
		})
	}
	for _, ch := range channels {
		work <- ch
	}
	close(work)
	wg.Wait()
	return len(ds) == p.o.Batch, nil
}

// postChannel posts one channel's claimed deliveries in order. When one
// says the channel cannot take more now (rate limited, paused), or the
// poster is stopping, the rest are released rather than held.
func (p *Poster) postChannel(ctx context.Context, ds []store.Delivery, claimedAt time.Time) {
	for i, d := range ds {
		var hold string
		switch {
		case ctx.Err() != nil:
			hold = "held back: briefbot was shutting down"
		case p.fatalErr() != nil:
			hold = "held back: Discord rejected the bot token"
		case p.o.Now().Sub(claimedAt) > p.o.Lease/2:
			// Do not start a send the rest of the lease may not cover.
			hold = "held back: the claim was running out"
		}
		if hold != "" {
			p.release(ds[i:], p.o.Now(), hold)
			return
		}
		if r := p.deliver(ctx, d, claimedAt); r.stop {
			p.release(ds[i+1:], r.retryAt, "held back: "+r.reason)
			return
		}
	}
}

// release hands claimed deliveries back, due at retryAt.
func (p *Poster) release(ds []store.Delivery, retryAt time.Time, reason string) {
	if len(ds) == 0 {
		return
	}
	// Detached: releasing on shutdown is the point, and it is quick.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, d := range ds {
		if err := p.o.Store.DeliveryRetry(ctx, d.ID, retryAt, reason); err != nil {
			p.log.Warn("poster: releasing a delivery failed; its claim will expire instead",
				slog.Int64("delivery", d.ID), slog.String("channel", d.ChannelID), slog.Any("err", err))
		}
	}
	p.noteRetry(retryAt)
}

func (p *Poster) noteRetry(at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.retries = append(p.retries, at)
}

// nextRetry is the earliest retry this poster scheduled that its last
// claim round did not already see due; it may be in the past.
func (p *Poster) nextRetry() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.retries = slices.DeleteFunc(p.retries, func(t time.Time) bool { return !t.After(p.lastClaim) })
	if len(p.retries) == 0 {
		return time.Time{}
	}
	return slices.MinFunc(p.retries, time.Time.Compare)
}

func (p *Poster) noteSuccess(at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if at.After(p.lastSuccess) {
		p.lastSuccess = at
	}
}

// discordWorks reports whether Discord accepted a message recently.
func (p *Poster) discordWorks(now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.lastSuccess.IsZero() && now.Sub(p.lastSuccess) < outageWindow
}

func (p *Poster) setFatal(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fatal == nil {
		p.fatal = err
	}
}

func (p *Poster) fatalErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fatal
}

// backoff is the wait before retry number attempts after a transient
// error: exponential from backoffBase, capped, with jitter so deliveries
// that failed together do not retry together.
func backoff(attempts int) time.Duration {
	d := backoffCap
	if attempts < 20 {
		d = min(backoffBase<<max(attempts-1, 0), backoffCap)
	}
	// Full jitter over the upper half keeps the cap a cap.
	return d/2 + rand.N(d/2+1)
}
