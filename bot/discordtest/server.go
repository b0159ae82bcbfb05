// Package discordtest is a fake Discord for tests: a REST API and a gateway
// websocket that the real github.com/bwmarrin/discordgo Session talks to,
// with no network.
//
// The fake keeps channels, messages, application commands and interactions in
// memory, records every REST request, validates payloads the way Discord does
// (message and embed limits, empty messages, command names), honours message
// nonces with enforce_nonce, and can fail chosen requests on purpose (429 with
// Retry-After, 5xx after the message was stored, permanent 403/404 errors).
//
// A session is pointed at the fake with [Server.Configure] or [Server.Session]:
// its http.Client gets a transport that sends discord.com requests to the fake
// (discordgo's Endpoint* globals stay untouched, so parallel tests are safe),
// and its websocket Dialer can only reach the fake. The gateway URL comes from
// GET /gateway like on Discord.
//
//	srv := discordtest.New(t)
//	s := srv.Session(t, "")
//	s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) { ... })
//	if err := s.Open(); err != nil { t.Fatal(err) }
//	in, _ := srv.DispatchInteraction(srv.CommandInteraction("latest"))
//	rec, err := srv.WaitInteractionResponse(t.Context(), in.ID)
//
// Close sessions before the server; [Server.Session] does that for you.
package discordtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// IDs of the world every Server starts with: one application whose bot user
// has the same ID (as for every modern Discord application), one guild with
// one text channel, and one human member for interactions.
const (
	AppID            = "900000000000000001"
	BotUserID        = AppID
	DefaultGuildID   = "900000000000000100"
	DefaultChannelID = "900000000000000200"
	DefaultUserID    = "900000000000000300"
	// DefaultToken is the bot token the fake accepts unless WithToken says otherwise.
	DefaultToken = "Bot discordtest-token"
)

// Defaults for the behaviour Discord documents.
const (
	// DefaultHeartbeatInterval is what Discord sends in Hello today.
	DefaultHeartbeatInterval = 41250 * time.Millisecond
	// DefaultNonceWindow approximates "the past few minutes" of enforce_nonce.
	DefaultNonceWindow = 5 * time.Minute
	// DefaultInteractionDeadline is Discord's time to acknowledge an interaction.
	DefaultInteractionDeadline = 3 * time.Second
	// interactionTokenLifetime is how long followups and @original edits work.
	interactionTokenLifetime = 15 * time.Minute
)

// Option changes how a Server behaves.
type Option func(*config)

type config struct {
	token               string
	heartbeatInterval   time.Duration
	nonceWindow         time.Duration
	interactionDeadline time.Duration
	now                 func() time.Time
	privilegedIntents   discordgo.Intent
}

// WithToken sets the bot token the fake accepts on REST and the gateway.
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithHeartbeatInterval sets the interval sent in Hello.
func WithHeartbeatInterval(d time.Duration) Option {
	return func(c *config) { c.heartbeatInterval = d }
}

// WithNonceWindow sets how long an enforced nonce keeps returning its message.
func WithNonceWindow(d time.Duration) Option { return func(c *config) { c.nonceWindow = d } }

// WithInteractionDeadline sets how long after dispatch an interaction may be
// acknowledged before the callback fails with Unknown interaction (10062).
func WithInteractionDeadline(d time.Duration) Option {
	return func(c *config) { c.interactionDeadline = d }
}

// WithClock replaces time.Now for nonce windows, deadlines and timestamps, so
// tests can move time without sleeping.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithPrivilegedIntents enables privileged intents for the application, as the
// developer portal toggles do; without them an Identify asking for them is
// closed with 4014 like on Discord.
func WithPrivilegedIntents(i discordgo.Intent) Option {
	return func(c *config) { c.privilegedIntents = i }
}

// Server is a running fake Discord. All methods are safe for concurrent use.
type Server struct {
	cfg     config
	http    *httptest.Server
	addr    string
	mux     *http.ServeMux
	botUser discordgo.User

	mu           sync.Mutex
	changed      chan struct{} // closed and replaced on every state change
	closed       bool
	ids          snowflakes
	requests     []Request
	faults       []*faultEntry
	guilds       []*discordgo.Guild
	channels     map[string]*discordgo.Channel
	messages     map[string]*Message // by message ID
	channelMsgs  map[string][]string // channel ID -> message IDs, oldest first
	nonces       map[string]nonceEntry
	commands     map[string][]*discordgo.ApplicationCommand // "" (global) or guild ID
	interactions map[string]*interactionState
	callbacks    []InteractionCallback // accepted, in order
	byToken      map[string]string     // interaction token -> interaction ID
	sessions     []*gwSession
	conns        map[*gwConn]struct{}
	wg           sync.WaitGroup // gateway connection goroutines
}

// New starts a fake Discord on a loopback port and stops it when the test ends.
// Plain HTTP is enough: the transport from Configure maps https://discord.com
// onto it, so no certificates are involved.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg := config{
		token:               DefaultToken,
		heartbeatInterval:   DefaultHeartbeatInterval,
		nonceWindow:         DefaultNonceWindow,
		interactionDeadline: DefaultInteractionDeadline,
		now:                 time.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		cfg:          cfg,
		changed:      make(chan struct{}),
		channels:     map[string]*discordgo.Channel{},
		messages:     map[string]*Message{},
		channelMsgs:  map[string][]string{},
		nonces:       map[string]nonceEntry{},
		commands:     map[string][]*discordgo.ApplicationCommand{},
		interactions: map[string]*interactionState{},
		byToken:      map[string]string{},
		conns:        map[*gwConn]struct{}{},
		botUser: discordgo.User{
			ID:            BotUserID,
			Username:      "briefbot-test",
			Discriminator: "0",
			Bot:           true,
			Verified:      true,
		},
	}
	s.ids.now = cfg.now
	s.mux = s.routes()
	s.AddGuild(&discordgo.Guild{ID: DefaultGuildID, Name: "Test Guild", OwnerID: DefaultUserID})
	s.AddChannel(&discordgo.Channel{ID: DefaultChannelID, GuildID: DefaultGuildID, Name: "briefings", Type: discordgo.ChannelTypeGuildText})
	s.http = httptest.NewServer(s)
	s.addr = s.http.Listener.Addr().String()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("discordtest: requests seen by the fake Discord:\n%s", s.requestLog())
		}
		s.Close()
	})
	return s
}

// Close stops the server and its gateway connections. It is called by the
// test cleanup; calling it earlier simulates Discord going away.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conns := make([]*gwConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.bumpLocked()
	s.mu.Unlock()
	for _, c := range conns {
		c.close(websocket.CloseGoingAway, "server closing")
	}
	s.wg.Wait()
	s.http.Close()
}

// URL is the fake's base URL (http://127.0.0.1:port).
func (s *Server) URL() string { return s.http.URL }

// GatewayURL is what GET /gateway returns.
func (s *Server) GatewayURL() string { return "ws://" + s.addr + "/" }

// Token is the bot token the fake accepts.
func (s *Server) Token() string { return s.cfg.token }

// BotUser is the bot's own user, as sent in READY and GET /users/@me.
func (s *Server) BotUser() discordgo.User { return s.botUser }

// Client returns an http.Client whose requests to discord.com reach the fake
// and whose requests to any other host fail, so a test can never touch the
// network.
func (s *Server) Client() *http.Client {
	return &http.Client{
		Transport: &rewriteTransport{addr: s.addr, base: &http.Transport{
			Proxy:             nil, // never an environment proxy: the fake is local
			DialContext:       (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			ForceAttemptHTTP2: false,
			MaxIdleConns:      10,
			IdleConnTimeout:   30 * time.Second,
		}},
		Timeout: 20 * time.Second,
	}
}

// Dialer returns a websocket dialer that can only connect to the fake.
func (s *Server) Dialer() *websocket.Dialer {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &websocket.Dialer{
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if addr != s.addr {
				return nil, fmt.Errorf("discordtest: refusing to dial %s: only the fake gateway at %s is reachable in tests", addr, s.addr)
			}
			return d.DialContext(ctx, network, addr)
		},
		HandshakeTimeout: 5 * time.Second,
	}
}

// Configure points an existing discordgo session at the fake: its REST client
// and its gateway dialer. Use it when the code under test builds its own
// session; call it before Open.
func (s *Server) Configure(dg *discordgo.Session) {
	dg.Client = s.Client()
	dg.Dialer = s.Dialer()
}

// Session returns a real discordgo session configured for the fake and closed
// when the test ends. An empty token means the fake's own token.
func (s *Server) Session(t testing.TB, token string) *discordgo.Session {
	t.Helper()
	if token == "" {
		token = s.cfg.token
	}
	dg, err := discordgo.New(token)
	if err != nil {
		t.Fatalf("discordtest: creating discordgo session: %v", err)
	}
	s.Configure(dg)
	// discordgo v0.29 can race its own Close: a heartbeat that fails because
	// Close already sent the close frame triggers a reconnect, which then
	// retries forever against a stopped fake. Reconnection is therefore off
	// unless a test turns it on before Open. It cannot be turned off at
	// Close instead: discordgo reads the field without a lock, so writing it
	// while the session runs is a data race.
	dg.ShouldReconnectOnError = false
	t.Cleanup(func() { CloseSession(dg) })
	return dg
}

// CloseSession closes a discordgo session made by Session.
func CloseSession(dg *discordgo.Session) {
	_ = dg.Close()
}

// rewriteTransport sends requests for Discord's API hosts to the fake.
type rewriteTransport struct {
	addr string
	base http.RoundTripper
}

func (rt *rewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	switch r.URL.Hostname() {
	case "discord.com", "discordapp.com", "canary.discord.com", "ptb.discord.com":
	default:
		if r.URL.Host != rt.addr {
			if r.Body != nil {
				_ = r.Body.Close()
			}
			return nil, fmt.Errorf("discordtest: refusing request to %s: only Discord's API is faked and tests must not reach the network", r.URL.Host)
		}
	}
	r2 := r.Clone(r.Context())
	r2.URL.Scheme = "http"
	r2.URL.Host = rt.addr
	return rt.base.RoundTrip(r2)
}

// AddGuild adds a guild the bot is in (listed in READY, sent as GUILD_CREATE).
func (s *Server) AddGuild(g *discordgo.Guild) {
	g = clone(g)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.guilds = slices.DeleteFunc(s.guilds, func(x *discordgo.Guild) bool { return x.ID == g.ID })
	s.guilds = append(s.guilds, g)
	s.bumpLocked()
}

// AddChannel adds or replaces a channel the bot can post in. A guild channel
// whose guild is unknown adds that guild too.
func (s *Server) AddChannel(c *discordgo.Channel) {
	c = clone(c)
	if c.Type == 0 && c.GuildID == "" {
		c.Type = discordgo.ChannelTypeGuildText
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addChannelLocked(c)
	s.bumpLocked()
}

func (s *Server) addChannelLocked(c *discordgo.Channel) {
	s.channels[c.ID] = c
	if c.GuildID == "" {
		return
	}
	for _, g := range s.guilds {
		if g.ID == c.GuildID {
			g.Channels = slices.DeleteFunc(g.Channels, func(x *discordgo.Channel) bool { return x.ID == c.ID })
			g.Channels = append(g.Channels, clone(c))
			return
		}
	}
	s.guilds = append(s.guilds, &discordgo.Guild{ID: c.GuildID, Name: "Guild " + c.GuildID, Channels: []*discordgo.Channel{clone(c)}})
}

// RemoveChannel deletes a channel: from then on requests for it fail with
// Unknown Channel (10003), as after a server admin deleted it.
func (s *Server) RemoveChannel(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.channels[id]; ok {
		for _, g := range s.guilds {
			if g.ID == c.GuildID {
				g.Channels = slices.DeleteFunc(g.Channels, func(x *discordgo.Channel) bool { return x.ID == id })
			}
		}
	}
	delete(s.channels, id)
	s.bumpLocked()
}

// Messages returns the messages in a channel posted through the channel
// message endpoints, oldest first, as they are now (after edits). Interaction
// responses are not included: see Interaction.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, id := range s.channelMsgs[channelID] {
		if m, ok := s.messages[id]; ok {
			out = append(out, m.copy())
		}
	}
	return out
}

// Message returns one stored message by ID.
func (s *Server) Message(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	if !ok {
		return Message{}, false
	}
	return m.copy(), true
}

// Commands returns every registered application command, global ones (GuildID
// "") first, then per guild, each in registration order.
func (s *Server) Commands() []*discordgo.ApplicationCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	scopes := make([]string, 0, len(s.commands))
	for k := range s.commands {
		scopes = append(scopes, k)
	}
	slices.Sort(scopes)
	var out []*discordgo.ApplicationCommand
	for _, k := range scopes {
		for _, c := range s.commands[k] {
			out = append(out, clone(c))
		}
	}
	return out
}

// WaitFor blocks until cond returns true or ctx ends. cond is evaluated again
// after every change the fake sees (a request, a gateway frame), never on a
// timer; it may call any Server method.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		closed := s.closed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		if closed {
			return errors.New("discordtest: server closed while waiting")
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("discordtest: condition not met before the context ended: %w", context.Cause(ctx))
		}
	}
}

// WaitMessages waits until channelID holds at least n messages and returns them.
func (s *Server) WaitMessages(ctx context.Context, channelID string, n int) ([]Message, error) {
	var msgs []Message
	err := s.WaitFor(ctx, func() bool {
		msgs = s.Messages(channelID)
		return len(msgs) >= n
	})
	if err != nil {
		return msgs, fmt.Errorf("waiting for %d messages in channel %s (have %d): %w", n, channelID, len(msgs), err)
	}
	return msgs, nil
}

func (s *Server) bumpLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) requestLog() string {
	var b strings.Builder
	for _, r := range s.Requests() {
		fmt.Fprintf(&b, "  %s %s -> %d", r.Method, r.Path, r.Status)
		if r.Fault {
			b.WriteString(" (injected)")
		}
		if r.Status >= 400 {
			fmt.Fprintf(&b, " %s", truncateBytes(r.Response, 200))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func truncateBytes(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}

// snowflakes makes IDs shaped like Discord's: milliseconds since the Discord
// epoch in the high bits, so IDs sort by creation time.
type snowflakes struct {
	now  func() time.Time
	last int64
}

const discordEpochMS = 1420070400000

func (g *snowflakes) next() string {
	id := (g.now().UnixMilli() - discordEpochMS) << 22
	if id <= g.last {
		id = g.last + 1
	}
	g.last = id
	return strconv.FormatInt(id, 10)
}

func randomToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
