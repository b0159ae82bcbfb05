package bot

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // /subscribe validates IANA names even where the OS has no zoneinfo

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/topic"
)

// Store is what the slash commands read and write; store.Store has it all.
type Store interface {
	Stories(ctx context.Context, q store.StoryQuery) ([]store.Story, error)
	Story(ctx context.Context, id int64) (store.Story, error)
	Subscribe(ctx context.Context, s store.Subscription) (store.Subscription, error)
	Unsubscribe(ctx context.Context, channelID, topic string) (bool, error)
	Subscriptions(ctx context.Context, f store.SubscriptionFilter) ([]store.Subscription, error)
	Sources(ctx context.Context) ([]store.SourceState, error)
	ItemByLink(ctx context.Context, link string) (store.StoredItem, error)
	ClaimInteraction(ctx context.Context, id string, at time.Time) (bool, error)
	store.GuildConfig
}

// TopicInfo is a configured topic as the commands offer it.
type TopicInfo struct {
	Name        string // the stable key: "mideast-diplomacy"
	Description string // shown beside the name in autocomplete
	// Key is a server's own topic's store key (store.GuildTopicKey);
	// empty for a configured topic, whose key is its Name.
	Key string
}

// key is what stories and subscriptions name the topic by.
func (t TopicInfo) key() string {
	if t.Key != "" {
		return t.Key
	}
	return t.Name
}

// TopicsOf lists a classifier's topics for Options.Topics.
func TopicsOf(c *topic.Classifier) []TopicInfo {
	var out []TopicInfo
	for _, t := range c.Topics() {
		out = append(out, TopicInfo{Name: t.Name(), Description: t.Description()})
	}
	return out
}

// SourceInfo is a configured source as /sources and /why show it.
type SourceInfo struct {
	Name   string // the store's key
	Outlet string // display name ("BBC News"); Name when empty
	URL    string // the feed URL; its domain ties article links to the source
}

// CommandEvent describes one handled interaction, for metrics.
type CommandEvent struct {
	Command string // "latest", "subscribe", …
	// Kind is "command" or "autocomplete".
	Kind string
	// Outcome is "ok", "invalid" (bad arguments), "denied" (missing
	// permission), "error" (our failure), or "duplicate" (answered before).
	Outcome string
	// Deferred is set when the answer came as an edit after "thinking…".
	Deferred bool
	// Latency is from receipt to the first response, which is what
	// Discord's 3-second deadline measures; Total runs to the final answer.
	Latency, Total time.Duration
}

// Options configures a Bot. Session, Store and Topics are required.
type Options struct {
	// Session talks to Discord: the gateway in gateway mode, and REST
	// (command registration, deferred answers) in both modes.
	Session *discordgo.Session
	Store   Store
	Topics  []TopicInfo
	// DefaultTopic is /latest's topic when none is given: topic.DefaultName
	// when configured, else the first of Topics.
	DefaultTopic string
	// Sources are the configured outlets; empty lists whatever the store knows.
	Sources []SourceInfo
	// OutletName names the outlet of a source Sources does not list (a
	// server's own feed, a source added by a reload); nil shows the
	// source's name.
	OutletName func(source string) string
	// CanonicalLink turns a pasted article link into the form items are
	// stored under (source.CanonicalLink), "" when it is not an http(s)
	// URL. Nil keeps the link as typed, without its fragment.
	CanonicalLink func(string) string
	// ApplicationID registers the commands; in gateway mode it defaults to
	// the ID READY reports.
	ApplicationID string
	// DevGuildID registers the commands in that guild only (instantly,
	// unlike global commands), for development.
	DevGuildID string
	Log        *slog.Logger
	Now        func() time.Time
	// Observe, when set, is called once per handled interaction.
	Observe func(CommandEvent)
	// DeferAfter is how long a command may take before it is deferred
	// ("briefbot is thinking…") and its answer edited in later: 1s default,
	// leaving room within Discord's 3 s for the response to travel.
	DeferAfter time.Duration
	// CommandTimeout bounds a command's work (default 30 s).
	CommandTimeout time.Duration
	// Guild enables /feeds and /topics; nil registers neither.
	Guild *GuildOptions
}

// Bot answers briefbot's slash commands over the gateway or an HTTP
// interactions endpoint.
type Bot struct {
	session      *discordgo.Session
	store        Store
	topics       atomic.Pointer[[]TopicInfo] // the configured ones; see SetTopics
	topicDefs    atomic.Pointer[[]topic.Def] // for previews, when guild is set
	defaultTopic TopicInfo
	sources      atomic.Pointer[[]SourceInfo] // the configured ones; see SetSources
	outletName   func(string) string
	canonical    func(string) string
	devGuild     string
	log          *slog.Logger
	now          func() time.Time
	observe      func(CommandEvent)
	deferAfter   time.Duration
	timeout      time.Duration
	commands     map[string]*command
	appID        string
	guild        *GuildOptions

	handlersOnce sync.Once
	opened       atomic.Bool
	connected    atomic.Bool
	downSince    atomic.Int64 // unix nanos of the last disconnect; 0 while connected
	inflight     inflight
}

// ErrNotConnected is what Healthy reports while the gateway is down.
var ErrNotConnected = errors.New("bot: not connected to the Discord gateway")

// healthGrace is how long the gateway may be down before Healthy fails:
// discordgo reconnects by itself, and a brief reconnect is not an outage.
const healthGrace = 2 * time.Minute

// New checks opts and returns a Bot; it does not connect.
func New(opts Options) (*Bot, error) {
	if opts.Session == nil {
		return nil, errors.New("bot: Options.Session is required")
	}
	if opts.Store == nil {
		return nil, errors.New("bot: Options.Store is required")
	}
	if len(opts.Topics) == 0 {
		return nil, errors.New("bot: Options.Topics is empty: configure at least one topic")
	}
	seen := map[string]bool{}
	for i, t := range opts.Topics {
		key := strings.ToLower(t.Name)
		if t.Name == "" || runes(t.Name) > maxChoice {
			return nil, fmt.Errorf("bot: topics[%d] name %q must have 1 to %d characters", i, t.Name, maxChoice)
		}
		if seen[key] {
			return nil, fmt.Errorf("bot: topic %q is listed twice", t.Name)
		}
		seen[key] = true
	}
	b := &Bot{
		session:    opts.Session,
		store:      opts.Store,
		outletName: opts.OutletName,
		canonical:  opts.CanonicalLink,
		devGuild:   opts.DevGuildID,
		log:        opts.Log,
		now:        opts.Now,
		observe:    opts.Observe,
		deferAfter: opts.DeferAfter,
		timeout:    opts.CommandTimeout,
		appID:      opts.ApplicationID,
		guild:      opts.Guild,
	}
	b.topics.Store(&opts.Topics)
	if opts.Guild != nil {
		b.topicDefs.Store(&opts.Guild.TopicDefs)
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	b.log = slog.New(RedactingHandler(b.log.Handler()))
	if b.now == nil {
		b.now = time.Now
	}
	if b.canonical == nil {
		b.canonical = plainLink
	}
	if b.deferAfter <= 0 {
		b.deferAfter = time.Second
	}
	if b.timeout <= 0 {
		b.timeout = 30 * time.Second
	}
	def := opts.DefaultTopic
	if def == "" {
		def = opts.Topics[0].Name
		if _, ok := b.lookupTopic(topic.DefaultName); ok {
			def = topic.DefaultName
		}
	}
	t, ok := b.lookupTopic(def)
	if !ok {
		var names []string
		for _, t := range opts.Topics {
			names = append(names, t.Name)
		}
		return nil, fmt.Errorf("bot: default topic %q is not one of the configured topics (%s)", def, strings.Join(names, ", "))
	}
	b.defaultTopic = t
	b.SetSources(opts.Sources)
	b.commands = b.commandTable()
	return b, nil
}

// SetSources replaces the configured outlets /sources, /why and the
// outlets option list (a config reload).
func (b *Bot) SetSources(sources []SourceInfo) { b.sources.Store(&sources) }

// configSources are the configured outlets.
func (b *Bot) configSources() []SourceInfo { return *b.sources.Load() }

// SetTopics replaces the configured topics the commands offer (a config
// reload), and the definitions /feeds add previews with. The default
// topic stays as it was.
func (b *Bot) SetTopics(topics []TopicInfo, defs []topic.Def) error {
	if len(topics) == 0 {
		return errors.New("bot: no topics: configure at least one topic")
	}
	b.topics.Store(&topics)
	b.topicDefs.Store(&defs)
	return nil
}

// configTopics are the configured topics.
func (b *Bot) configTopics() []TopicInfo { return *b.topics.Load() }

// Open connects to the gateway with the Guilds intent only (slash commands
// need no message content) and registers the commands. Handlers are added
// before connecting so no interaction is missed.
func (b *Bot) Open(ctx context.Context) error {
	s := b.session
	b.handlersOnce.Do(func() {
		s.AddHandler(b.onInteraction)
		s.AddHandler(func(*discordgo.Session, *discordgo.Ready) { b.setConnected(true) })
		s.AddHandler(func(*discordgo.Session, *discordgo.Resumed) { b.setConnected(true) })
		s.AddHandler(func(*discordgo.Session, *discordgo.Disconnect) { b.setConnected(false) })
	})
	s.Identify.Intents = discordgo.IntentsGuilds
	s.ShouldReconnectOnError = true
	b.opened.Store(true)
	if err := s.Open(); err != nil {
		return fmt.Errorf("bot: connecting to the Discord gateway: %w (check DISCORD_TOKEN)", err)
	}
	b.setConnected(true) // Open returns after READY
	if err := b.RegisterCommands(ctx); err != nil {
		_ = b.Close()
		return err
	}
	return nil
}

func (b *Bot) setConnected(up bool) {
	b.connected.Store(up)
	if up {
		b.downSince.Store(0)
	} else {
		b.downSince.CompareAndSwap(0, time.Now().UnixNano())
	}
}

// RegisterCommands replaces the application's slash commands with
// briefbot's: globally, or in DevGuildID when set. HTTP mode calls it
// directly (with Options.ApplicationID set); Open calls it after connecting.
func (b *Bot) RegisterCommands(ctx context.Context) error {
	appID := b.applicationID()
	if appID == "" {
		return errors.New("bot: registering commands: no application ID: set discord.application_id")
	}
	_, err := b.session.ApplicationCommandBulkOverwrite(appID, b.devGuild, b.commandDefs(), discordgo.WithContext(ctx))
	if err != nil {
		where := "globally"
		if b.devGuild != "" {
			where = "in guild " + b.devGuild + " (is the bot in that server?)"
		}
		return fmt.Errorf("bot: registering slash commands %s: %w", where, err)
	}
	return nil
}

// applicationID is Options.ApplicationID, else the one READY reported.
func (b *Bot) applicationID() string {
	if b.appID != "" {
		return b.appID
	}
	st := b.session.State
	if st == nil {
		return ""
	}
	// Open has applied READY to the state by the time it returns; the Ready
	// handler may not have run yet.
	st.RLock()
	defer st.RUnlock()
	switch {
	case st.Application != nil && st.Application.ID != "":
		return st.Application.ID
	case st.User != nil:
		return st.User.ID // a modern application's bot user shares its ID
	}
	return ""
}

// Connected reports whether the gateway connection is up.
func (b *Bot) Connected() bool { return b.connected.Load() }

// Healthy is the /healthz check: it fails when the gateway has been down
// for a while. In HTTP mode (Open never called) it always passes.
func (b *Bot) Healthy(context.Context) error {
	if !b.opened.Load() || b.connected.Load() {
		return nil
	}
	down := b.downSince.Load()
	if down == 0 || time.Since(time.Unix(0, down)) > healthGrace {
		return ErrNotConnected
	}
	return nil
}

// Close disconnects from the gateway for good and waits for commands in
// flight to send their answers (up to CommandTimeout).
func (b *Bot) Close() error {
	// discordgo v0.29 can start reconnecting from inside Close (a heartbeat
	// failing on the closed socket) and then retry forever.
	b.session.ShouldReconnectOnError = false
	err := b.session.Close()
	b.setConnected(false)
	b.inflight.close(b.timeout + time.Second)
	if err != nil {
		return fmt.Errorf("bot: closing the gateway: %w", err)
	}
	return nil
}

// ParsePublicKey decodes the application's public key as the Developer
// Portal shows it (64 hex digits), for InteractionsHandler.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	k, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(k) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("bot: public key must be %d hex digits, as shown under General Information in the Developer Portal", 2*ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(k), nil
}

// inflight counts handlers running so Close can wait for them; once closed
// it refuses new ones.
type inflight struct {
	mu     sync.Mutex
	n      int
	closed bool
	idle   chan struct{}
}

func (f *inflight) add() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	f.n++
	return true
}

func (f *inflight) done() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n--
	if f.n == 0 && f.idle != nil {
		close(f.idle)
		f.idle = nil
	}
}

func (f *inflight) close(wait time.Duration) {
	f.mu.Lock()
	f.closed = true
	if f.n == 0 {
		f.mu.Unlock()
		return
	}
	if f.idle == nil {
		f.idle = make(chan struct{})
	}
	idle := f.idle
	f.mu.Unlock()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-idle:
	case <-t.C:
	}
}
