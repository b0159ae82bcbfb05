package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/source"
	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/sqlite"
	"github.com/briefbot/briefbot/story"
)

// The world the tests run in: two topics and three sources.
const (
	topicDiplomacy = "mideast-diplomacy"
	topicGaza      = "gaza"
	manage         = discordgo.PermissionManageChannels
	otherChannel   = "900000000000000201"
)

var (
	testTopics = []bot.TopicInfo{
		{Name: topicDiplomacy, Description: "Iran & Middle East diplomacy"},
		{Name: topicGaza, Description: "Gaza war and ceasefire talks"},
	}
	testSources = []bot.SourceInfo{
		{Name: "reuters", Outlet: "Reuters", URL: "https://feeds.reuters.example/world.xml"},
		{Name: "aljazeera", Outlet: "Al Jazeera", URL: "https://www.aljazeera.example/rss"},
		{Name: "bbc", Outlet: "BBC News", URL: "https://feeds.bbc.example/rss.xml"},
	}
	// t0 is "now" in the tests' clock.
	t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
)

// clock is a settable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// env is a bot wired to a fake Discord and a real SQLite store.
type env struct {
	t      testing.TB
	srv    *discordtest.Server
	st     *sqlite.Store
	bot    *bot.Bot
	clock  *clock
	logs   *syncBuffer
	events *eventLog
}

type envOption func(*bot.Options)

// newEnv builds the bot without connecting it; most tests call open.
func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "briefbot.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return newEnvWithStore(t, st, opts...)
}

func newEnvWithStore(t testing.TB, st *sqlite.Store, opts ...envOption) *env {
	t.Helper()
	srv := discordtest.New(t)
	e := &env{t: t, srv: srv, st: st, clock: &clock{t: t0}, logs: &syncBuffer{}, events: &eventLog{}}
	// The bot's own Close ends its session; the fake's Session helper would
	// close it a second time, racing discordgo's heartbeat goroutine.
	dg, err := discordgo.New(srv.Token())
	if err != nil {
		t.Fatal(err)
	}
	srv.Configure(dg)
	o := bot.Options{
		Session:       dg,
		Store:         st,
		Topics:        testTopics,
		Sources:       testSources,
		CanonicalLink: func(s string) string { return source.CanonicalLink(s, nil) },
		Log:           slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:           e.clock.now,
		Observe:       e.events.add,
		// Real time would make answers race the deferral timer; tests
		// that want a deferral say so.
		DeferAfter: time.Minute,
	}
	for _, f := range opts {
		f(&o)
	}
	b, err := bot.New(o)
	if err != nil {
		t.Fatal(err)
	}
	e.bot = b
	t.Cleanup(func() { _ = b.Close() })
	return e
}

// open connects the bot to the fake gateway and registers its commands.
func (e *env) open() *env {
	e.t.Helper()
	if err := e.bot.Open(ctxT(e.t)); err != nil {
		e.t.Fatal(err)
	}
	return e
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// command is a slash command from a member with perms in the default channel.
func (e *env) command(name string, perms int64, options ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	in := e.srv.CommandInteraction(name, options...)
	in.Member = discordtest.Member(discordtest.DefaultUserID, perms|discordgo.PermissionViewChannel|discordgo.PermissionSendMessages)
	return in
}

// run dispatches an interaction and waits until the bot has finished with
// it (its answer, edits and followups all sent).
func (e *env) run(in *discordgo.Interaction) discordtest.InteractionRecord {
	e.t.Helper()
	n := e.events.len()
	in, err := e.srv.DispatchInteraction(in)
	if err != nil {
		e.t.Fatal(err)
	}
	e.events.waitLen(e.t, n+1)
	rec, ok := e.srv.Interaction(in.ID)
	if !ok {
		e.t.Fatalf("the fake does not know interaction %s", in.ID)
	}
	return rec
}

// answer is the single callback the interaction got.
func answer(t *testing.T, rec discordtest.InteractionRecord) discordtest.InteractionCallback {
	t.Helper()
	if len(rec.Callbacks) != 1 {
		t.Fatalf("interaction got %d callbacks, want 1: %+v", len(rec.Callbacks), rec.Callbacks)
	}
	return rec.Callbacks[0]
}

// wantReply checks an immediate message answer: its visibility, that it
// mentions nobody, and that its text contains every one of want.
func wantReply(t *testing.T, rec discordtest.InteractionRecord, ephemeral bool, want ...string) discordtest.InteractionCallback {
	t.Helper()
	cb := answer(t, rec)
	if cb.Type != discordgo.InteractionResponseChannelMessageWithSource {
		t.Fatalf("callback type %d, want a message (4); body %s", cb.Type, cb.Body)
	}
	if cb.Ephemeral() != ephemeral {
		t.Errorf("ephemeral = %v, want %v; content %q", cb.Ephemeral(), ephemeral, cb.Content)
	}
	wantNoMentions(t, cb.AllowedMentions)
	text := cb.Content
	for _, e := range cb.Embeds {
		text += "\n" + embedText(e)
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("answer does not contain %q:\n%s", w, text)
		}
	}
	return cb
}

func wantNoMentions(t *testing.T, raw json.RawMessage) {
	t.Helper()
	var am struct {
		Parse *[]string `json:"parse"`
	}
	if err := json.Unmarshal(raw, &am); err != nil || am.Parse == nil || len(*am.Parse) != 0 {
		t.Errorf("allowed_mentions = %s, want {\"parse\":[]}", raw)
	}
}

func embedText(e *discordgo.MessageEmbed) string {
	parts := []string{e.Title, e.Description}
	for _, f := range e.Fields {
		parts = append(parts, f.Name, f.Value)
	}
	if e.Footer != nil {
		parts = append(parts, e.Footer.Text)
	}
	return strings.Join(parts, "\n")
}

func titles(embeds []*discordgo.MessageEmbed) []string {
	var out []string
	for _, e := range embeds {
		out = append(out, e.Title)
	}
	return out
}

// --- store fixtures ---

// storyOpts describe a story to store.
type storyOpts struct {
	source, key, title, summary string
	topics                      []string
	seen                        time.Time // the decision's time, the story's FirstSeen
	join                        int64     // an existing story to join
}

// addStory polls an item in and completes it as relevant, returning the
// item and its story's ID.
func (e *env) addStory(s storyOpts) (story.Item, int64) {
	e.t.Helper()
	if s.source == "" {
		s.source = "reuters"
	}
	if s.summary == "" {
		s.summary = "Summary of " + s.title + "."
	}
	it := e.addItem(s.source, s.key, s.title, true, s.seen.Add(-time.Hour))
	d := store.Decision{Relevant: true, Score: 0.87, Topics: s.topics, Subtopics: []string{"talks"},
		Reasons: []string{"mentions Iran and the IAEA"}, Summary: s.summary, At: s.seen, StoryID: s.join}
	if err := e.st.CompleteItem(ctxT(e.t), it.ID, d); err != nil {
		e.t.Fatal(err)
	}
	si, err := e.st.ItemByLink(ctxT(e.t), it.Link)
	if err != nil || si.Decision == nil || si.Decision.StoryID == 0 {
		e.t.Fatalf("stored item %+v, %v: want one in a story", si, err)
	}
	return it, si.Decision.StoryID
}

// addItem records an item of source, pending or (as a first poll's
// backlog) seen.
func (e *env) addItem(src, key, title string, pending bool, published time.Time) story.Item {
	e.t.Helper()
	ctx := ctxT(e.t)
	url := sourceURL(src)
	if err := e.st.EnsureSource(ctx, src, url); err != nil {
		e.t.Fatal(err)
	}
	it := story.Item{Source: src, Key: key, Link: "https://www." + src + ".example/news/" + key, Title: title, Published: published, Fetched: published}
	ins, err := e.st.RecordPoll(ctx, src, store.Poll{At: published, Items: []store.NewItem{{Item: it, Pending: pending}}})
	if err != nil || len(ins) != 1 {
		e.t.Fatalf("RecordPoll: %v, %d inserted", err, len(ins))
	}
	return ins[0]
}

func sourceURL(name string) string {
	for _, s := range testSources {
		if s.Name == name {
			return s.URL
		}
	}
	return "https://" + name + ".example/feed"
}

func (e *env) subscriptions(f store.SubscriptionFilter) []store.Subscription {
	e.t.Helper()
	subs, err := e.st.Subscriptions(ctxT(e.t), f)
	if err != nil {
		e.t.Fatal(err)
	}
	return subs
}

// --- observation ---

// eventLog records the bot's CommandEvents.
type eventLog struct {
	mu     sync.Mutex
	events []bot.CommandEvent
	signal chan struct{}
}

func (l *eventLog) add(ev bot.CommandEvent) {
	l.mu.Lock()
	l.events = append(l.events, ev)
	if l.signal != nil {
		close(l.signal)
		l.signal = nil
	}
	l.mu.Unlock()
}

func (l *eventLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.events)
}

func (l *eventLog) all() []bot.CommandEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}

func (l *eventLog) waitLen(t testing.TB, n int) {
	t.Helper()
	ctx := ctxT(t)
	for {
		l.mu.Lock()
		if len(l.events) >= n {
			l.mu.Unlock()
			return
		}
		if l.signal == nil {
			l.signal = make(chan struct{})
		}
		ch := l.signal
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("waiting for %d handled interactions, have %d", n, l.len())
		}
	}
}

func (l *eventLog) last(t testing.TB) bot.CommandEvent {
	t.Helper()
	evs := l.all()
	if len(evs) == 0 {
		t.Fatal("no interaction handled")
	}
	return evs[len(evs)-1]
}

// syncBuffer is a log sink safe for the handlers' goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the JSON log records with the given message.
func (b *syncBuffer) records(msg string) []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for line := range strings.SplitSeq(b.buf.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// gatedStore holds story reads until released, to make commands slow on
// purpose, and can fail them.
type gatedStore struct {
	*sqlite.Store
	gate chan struct{}
	fail error
}

func (g *gatedStore) Stories(ctx context.Context, q store.StoryQuery) ([]store.Story, error) {
	select {
	case <-g.gate:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if g.fail != nil {
		return nil, g.fail
	}
	return g.Store.Stories(ctx, q)
}

// wrap is an envOption putting g in front of the env's store.
func (g *gatedStore) wrap(o *bot.Options) {
	g.Store = o.Store.(*sqlite.Store)
	o.Store = g
}

func opt(name string, v any) *discordgo.ApplicationCommandInteractionDataOption {
	return discordtest.CommandOption(name, v)
}
