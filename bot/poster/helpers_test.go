package poster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/sqlite"
	"github.com/briefbot/briefbot/story"
)

const (
	topicDiplomacy = "mideast-diplomacy"
	otherChannelID = "900000000000000201"
)

// testClock is real time shifted by an offset the test moves forward, so
// Run's timers still work while a test jumps over a backoff or a lease.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *testClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// env is a fake Discord, a real discordgo session talking to it and a real
// SQLite store in a temporary directory.
type env struct {
	t     *testing.T
	srv   *discordtest.Server
	dg    *discordgo.Session
	path  string
	st    *sqlite.Store
	clock *testClock
	n     int // items created
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := discordtest.New(t)
	srv.AddChannel(&discordgo.Channel{ID: otherChannelID, GuildID: discordtest.DefaultGuildID, Name: "other", Type: discordgo.ChannelTypeGuildText})
	e := &env{t: t, srv: srv, dg: srv.Session(t, ""), path: filepath.Join(t.TempDir(), "briefbot.db"), clock: &testClock{}}
	e.st = e.open()
	return e
}

// open opens the database file again, as a restarted (or second) instance.
func (e *env) open() *sqlite.Store {
	e.t.Helper()
	st, err := sqlite.Open(e.t.Context(), e.path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { st.Close() })
	return st
}

func (e *env) subscribe(channelID, topic string) store.Subscription {
	e.t.Helper()
	sub, err := e.st.Subscribe(e.t.Context(), store.Subscription{
		GuildID: discordtest.DefaultGuildID, ChannelID: channelID, Topic: topic,
		Mode: store.ModeRealtime, Since: e.clock.Now().Add(-time.Hour), CreatedBy: discordtest.DefaultUserID,
	})
	if err != nil {
		e.t.Fatalf("Subscribe(%s, %s): %v", channelID, topic, err)
	}
	return sub
}

func (e *env) subscribeDigest(channelID, topic, tz string, times ...string) store.Subscription {
	e.t.Helper()
	sub, err := e.st.Subscribe(e.t.Context(), store.Subscription{
		GuildID: discordtest.DefaultGuildID, ChannelID: channelID, Topic: topic, Mode: store.ModeDigest,
		DigestTimes: times, Timezone: tz, Since: e.clock.Now().Add(-48 * time.Hour), CreatedBy: discordtest.DefaultUserID,
	})
	if err != nil {
		e.t.Fatalf("Subscribe digest(%s, %s): %v", channelID, topic, err)
	}
	return sub
}

// storyOpts describe an item the pipeline found relevant.
type storyOpts struct {
	source    string
	title     string
	summary   string
	topics    []string // default: topicDiplomacy
	subtopics []string
	seen      time.Time // decision time; zero: now
	join      int64     // existing story to join
	follows   int64     // earlier story a new story follows
}

// story records an item as polled and completes it as relevant, as the
// pipeline does, which creates the story and its deliveries.
func (e *env) story(o storyOpts) int64 {
	e.t.Helper()
	ctx := e.t.Context()
	e.n++
	if o.source == "" {
		o.source = "wire"
	}
	if o.title == "" {
		o.title = fmt.Sprintf("Envoys meet for round %d of talks", e.n)
	}
	if o.summary == "" {
		o.summary = "Delegations held another round of indirect talks."
	}
	if o.seen.IsZero() {
		o.seen = e.clock.Now()
	}
	if o.topics == nil {
		o.topics = []string{topicDiplomacy}
	}
	if err := e.st.EnsureSource(ctx, o.source, "https://"+o.source+".example/feed.xml"); err != nil {
		e.t.Fatal(err)
	}
	key := fmt.Sprintf("item-%d", e.n)
	it := story.Item{
		Source: o.source, Key: key, GUID: key, Link: "https://" + o.source + ".example/news/" + key,
		Title: o.title, Description: o.summary, Language: "en",
		Published: o.seen.Add(-time.Hour), Fetched: o.seen,
	}
	items, err := e.st.RecordPoll(ctx, o.source, store.Poll{At: o.seen, Items: []store.NewItem{{Item: it, Pending: true}}})
	if err != nil || len(items) != 1 {
		e.t.Fatalf("RecordPoll: %d items, %v", len(items), err)
	}
	d := store.Decision{Relevant: true, Score: 0.9, Topics: o.topics, Subtopics: o.subtopics,
		Reasons: []string{"matched"}, Summary: o.summary, At: o.seen, StoryID: o.join, FollowsStoryID: o.follows}
	if err := e.st.CompleteItem(ctx, items[0].ID, d); err != nil {
		e.t.Fatal(err)
	}
	si, err := e.st.ItemByLink(ctx, it.Link)
	if err != nil || si.Decision == nil || si.Decision.StoryID == 0 {
		e.t.Fatalf("item %s has no story: %+v, %v", key, si.Decision, err)
	}
	return si.Decision.StoryID
}

// poster builds a poster on st (the env's store when nil) with the env's
// clock and session.
func (e *env) poster(st Store, mod func(*Options)) (*Poster, *recorder) {
	e.t.Helper()
	if st == nil {
		st = e.st
	}
	rec := &recorder{Store: st, sent: map[int64]string{}, claims: make(chan struct{}, 1)}
	o := Options{
		Session: e.dg, Store: rec, Owner: "test-" + e.t.Name(), Now: e.clock.Now,
		Log: slog.New(slog.NewTextHandler(e.t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})), PollInterval: time.Hour,
		Counters: Counters{
			Posted:  func(store.DeliveryKind, time.Duration) { rec.posted.Add(1) },
			Retried: func(c string) { rec.count(&rec.retried, c) },
			Failed:  func(c string) { rec.count(&rec.failed, c) },
		},
	}
	if mod != nil {
		mod(&o)
	}
	p, err := New(o)
	if err != nil {
		e.t.Fatal(err)
	}
	return p, rec
}

// run runs p until the test ends or stop is called; stop waits for Run.
func run(t *testing.T, p *Poster) (stop func() error) {
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// drain runs one claim-and-post round and fails the test on a store error.
func drain(t *testing.T, p *Poster) {
	t.Helper()
	if _, err := p.drainOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func (e *env) messages(channelID string) []discordtest.Message { return e.srv.Messages(channelID) }

// posts is every create-message request to channelID.
func (e *env) posts(channelID string) []discordtest.Request {
	return e.srv.RequestsMatching("POST /channels/" + channelID + "/messages")
}

// waitMessages waits for n messages in the channel.
func (e *env) waitMessages(channelID string, n int) []discordtest.Message {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.t.Context(), 20*time.Second)
	defer cancel()
	msgs, err := e.srv.WaitMessages(ctx, channelID, n)
	if err != nil {
		e.t.Fatalf("waiting for %d messages in %s: %v (have %d)", n, channelID, err, len(e.srv.Messages(channelID)))
	}
	return msgs
}

// due lists the deliveries claimable at the env's now (and an hour later,
// past any backoff) without holding them: each is released at once.
func (e *env) due(st *sqlite.Store) []store.Delivery {
	e.t.Helper()
	at := e.clock.Now().Add(time.Hour)
	ds, err := st.ClaimDeliveries(e.t.Context(), "inspector", at, time.Millisecond, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, d := range ds {
		if err := st.DeliveryRetry(e.t.Context(), d.ID, d.NotBefore, d.LastError); err != nil {
			e.t.Fatal(err)
		}
	}
	return ds
}

// recorder wraps a store, noting what the poster recorded.
type recorder struct {
	Store
	mu      sync.Mutex
	sent    map[int64]string // delivery → message ID
	failed  map[string]int
	retried map[string]int
	posted  atomic.Int64
	// sentErr, when set, answers DeliverySent instead of the store.
	sentErr func(id int64) error
	// claims is signalled after every ClaimDeliveries.
	claims chan struct{}
}

func (r *recorder) ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]store.Delivery, error) {
	ds, err := r.Store.ClaimDeliveries(ctx, owner, now, lease, limit)
	select {
	case r.claims <- struct{}{}:
	default:
	}
	return ds, err
}

func (r *recorder) DeliverySent(ctx context.Context, id int64, messageID string, at time.Time) error {
	r.mu.Lock()
	hook := r.sentErr
	r.mu.Unlock()
	if hook != nil {
		if err := hook(id); err != nil {
			return err
		}
	}
	if err := r.Store.DeliverySent(ctx, id, messageID, at); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent[id] = messageID
	return nil
}

func (r *recorder) count(m *map[string]int, cause string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if *m == nil {
		*m = map[string]int{}
	}
	(*m)[cause]++
}

func (r *recorder) sentIDs() map[int64]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[int64]string, len(r.sent))
	for k, v := range r.sent {
		out[k] = v
	}
	return out
}

func (r *recorder) causes(failed bool) map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.retried
	if failed {
		m = r.failed
	}
	out := map[string]int{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

var errCrashed = errors.New("test: the process died here")
