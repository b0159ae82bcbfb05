package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/briefbot/briefbot/admin"
	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/poster"
	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/lease"
	"github.com/briefbot/briefbot/metrics"
	"github.com/briefbot/briefbot/source"
	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
	"github.com/briefbot/briefbot/topic"
)

// newDiscordSession returns a discordgo session whose HTTP client is built
// from http.DefaultTransport's settings, so HTTPS_PROXY, NO_PROXY and
// SSL_CERT_FILE apply to Discord's API as users behind proxies expect. It
// identifies as the configured gateway shard and sends REST calls to
// discord.api_url when that is set.
func newDiscordSession(cfg *config.Config) (*discordgo.Session, error) {
	dg, err := discordgo.New("Bot " + cfg.DiscordToken)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	transport, err := discordAPITransport(cfg.Discord.APIURL, http.DefaultTransport.(*http.Transport).Clone())
	if err != nil {
		return nil, err
	}
	dg.Client = &http.Client{Transport: transport, Timeout: 30 * time.Second}
	dg.UserAgent = "DiscordBot (https://github.com/briefbot/briefbot, " + buildVersion() + ")"
	dg.LogLevel = discordgo.LogWarning
	// discordgo sends [ShardID, ShardCount] in IDENTIFY when ShardCount > 1.
	// An automatic shard is set when one is taken (see gatewayShards).
	dg.ShardCount = cfg.Discord.ShardCount
	if !cfg.Discord.ShardID.Auto() {
		dg.ShardID = int(cfg.Discord.ShardID)
	}
	return dg, nil
}

// discordAPITransport returns next, or when apiURL is set a RoundTripper
// sending Discord's REST calls to apiURL through next. discordgo builds
// every URL from https://discord.com, so rewriting requests beats patching
// its endpoint variables, which are package globals. The gateway needs no
// rewrite: its websocket URL is whatever GET /gateway answers, and that
// request goes through the rewrite like any other.
func discordAPITransport(apiURL string, next http.RoundTripper) (http.RoundTripper, error) {
	if apiURL == "" {
		return next, nil
	}
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" {
		// config has checked it; this is for callers that did not.
		return nil, fmt.Errorf("discord.api_url: %q is not an absolute http(s) URL: give the base URL only, e.g. http://nirn-proxy:8080", apiURL)
	}
	return &apiRewrite{
		scheme:  u.Scheme,
		host:    u.Host,
		path:    strings.TrimSuffix(u.Path, "/"),
		rawPath: strings.TrimSuffix(u.EscapedPath(), "/"),
		next:    next,
	}, nil
}

// apiRewrite moves requests for Discord's API hosts to another base URL,
// such as a rate-limit proxy shared by several instances, keeping their
// path (after the base's own), query, headers and body. Requests to other
// hosts (the CDN, feeds) pass through untouched.
type apiRewrite struct {
	scheme, host  string
	path, rawPath string // the base's path, without a trailing slash
	next          http.RoundTripper
}

func (rt *apiRewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	switch r.URL.Hostname() {
	case "discord.com", "discordapp.com":
	default:
		return rt.next.RoundTrip(r)
	}
	// A RoundTripper must not change the caller's request; Clone copies
	// the URL.
	r2 := r.Clone(r.Context())
	r2.URL.Scheme, r2.URL.Host = rt.scheme, rt.host
	if rt.path != "" {
		escaped := r.URL.EscapedPath()
		r2.URL.Path = rt.path + r.URL.Path
		r2.URL.RawPath = rt.rawPath + escaped
	}
	r2.Host = "" // the Host header follows the new URL, not discord.com
	return rt.next.RoundTrip(r2)
}

// instanceName names this process in leases, delivery claims and logs:
// host, PID and a random part, since containers of one deployment may
// share a hostname and all run as PID 1. It is the same for the whole
// process, so its leases are recognised as its own.
var instanceName = sync.OnceValue(func() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "briefbot"
	}
	return fmt.Sprintf("%s-%d-%04x", host, os.Getpid(), rand.N(1<<16))
})

// newPoster builds the outbox worker and the digest scheduler, counting
// into m.
func newPoster(dg *discordgo.Session, st store.Store, lease time.Duration, log *slog.Logger, m *metrics.Metrics, outletName func(string) string, visible func(guildID, source string) bool) (*poster.Poster, *poster.Digester, error) {
	p, err := poster.New(poster.Options{
		Session:       dg,
		Store:         st,
		Owner:         instanceName(),
		Lease:         lease,
		Log:           log,
		OutletName:    outletName,
		SourceVisible: visible,
		Counters: poster.Counters{
			Posted: func(kind store.DeliveryKind, latency time.Duration) {
				m.Posted.WithLabelValues(string(kind)).Inc()
				m.PostLatency.Observe(latency.Seconds())
			},
			Retried: func(cause string) { m.PostRetries.WithLabelValues(cause).Inc() },
			Failed:  func(cause string) { m.PostFailures.WithLabelValues(cause).Inc() },
		},
	})
	if err != nil {
		return nil, nil, err
	}
	d, err := poster.NewDigester(poster.DigesterOptions{Store: st, Log: log, Wake: p.Wake, SourceVisible: visible})
	if err != nil {
		return nil, nil, err
	}
	return p, d, nil
}

// discordParts is everything that runs only with a Discord token.
type discordParts struct {
	cfg      *config.Config
	log      *slog.Logger
	store    store.Store
	session  *discordgo.Session
	bot      *bot.Bot // on session: HTTP interactions, or the configured shard
	poster   *poster.Poster
	digester *poster.Digester

	// With discord.shard_id "auto", each shard taken gets a session and
	// bot of its own, built from botOpts; gateway is the one connected
	// now, nil while no shard is free.
	configure func(*discordgo.Session)
	optsMu    sync.Mutex // botOpts' topics change on a config reload
	botOpts   bot.Options
	gateway   atomic.Pointer[bot.Bot]
}

// setTopics gives the running bots, and those made later, a reloaded
// config's topics.
func (d *discordParts) setTopics(topics []bot.TopicInfo, defs []topic.Def) {
	d.optsMu.Lock()
	d.botOpts.Topics = topics
	g := *d.botOpts.Guild
	g.TopicDefs = defs
	d.botOpts.Guild = &g
	d.optsMu.Unlock()
	for _, b := range []*bot.Bot{d.bot, d.gateway.Load()} {
		if b == nil {
			continue
		}
		if err := b.SetTopics(topics, defs); err != nil {
			d.log.Error("applying the reloaded topics to the commands", slog.Any("err", err))
		}
	}
}

// setSources makes the commands (and a gateway bot started later) list
// the reloaded config's sources.
func (d *discordParts) setSources(sources []bot.SourceInfo) {
	d.optsMu.Lock()
	d.botOpts.Sources = sources
	d.optsMu.Unlock()
	for _, b := range []*bot.Bot{d.bot, d.gateway.Load()} {
		if b != nil {
			b.SetSources(sources)
		}
	}
}

func newDiscord(cfg *config.Config, st store.Store, lv *live, fetcher *source.Fetcher, log *slog.Logger, m *metrics.Metrics, configure func(*discordgo.Session)) (*discordParts, error) {
	dg, err := newDiscordSession(cfg)
	if err != nil {
		return nil, err
	}
	if configure != nil {
		configure(dg)
	}
	p, d, err := newPoster(dg, st, cfg.Discord.DeliveryLease, log, m, lv.outletName, lv.sourceVisible)
	if err != nil {
		return nil, err
	}
	botOpts := bot.Options{
		Store:      st,
		Topics:     lv.configTopics(), // the servers' own are looked up per server
		Sources:    botSources(feedsFromConfig(cfg)),
		OutletName: lv.outletName,
		Guild: &bot.GuildOptions{
			TopicDefs: topicDefs(cfg),
			Fetch: func(ctx context.Context, url string) (string, []story.Item, error) {
				return source.Preview(ctx, fetcher, url, time.Now())
			},
			Reason:   source.Reason,
			Changed:  lv.apply,
			MaxFeeds: cfg.Discord.MaxFeedsPerGuild,
			Interval: cfg.Polling.Interval,
		},
		CanonicalLink: func(s string) string { return source.CanonicalLink(s, nil) },
		ApplicationID: cfg.Discord.ApplicationID,
		DevGuildID:    cfg.Discord.DevGuildID,
		Log:           log,
		Observe: func(ev bot.CommandEvent) {
			if ev.Kind == "command" {
				m.CommandLatency.WithLabelValues(ev.Command, ev.Outcome).Observe(ev.Latency.Seconds())
			}
		},
	}
	parts := &discordParts{cfg: cfg, log: log, store: st, session: dg, poster: p, digester: d,
		configure: configure, botOpts: botOpts}
	lv.reloaded = func(cfg *config.Config) {
		parts.setTopics(lv.configTopics(), topicDefs(cfg))
		parts.setSources(botSources(feedsFromConfig(cfg)))
	}
	if parts.bot, err = parts.newBot(dg); err != nil {
		return nil, err
	}
	if !parts.httpMode() {
		m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "briefbot_gateway_connected", Help: "1 while the Discord gateway connection is up.",
		}, func() float64 {
			if g := parts.gateway.Load(); g != nil && g.Connected() {
				return 1
			}
			return 0
		}))
	}
	return parts, nil
}

// httpMode is set when slash commands arrive over the HTTP interactions
// endpoint instead of the gateway.
func (d *discordParts) httpMode() bool { return d.cfg.Discord.InteractionsListen != "" }

// start runs the Discord parts beside the pipeline and adds their checks.
func (d *discordParts) start(goPart func(string, func(context.Context) error), checks map[string]admin.Check) {
	goPart("poster", d.poster.Run)
	goPart("digests", d.digester.Run)
	if d.httpMode() {
		goPart("interactions", d.serveInteractions)
		return
	}
	checks["gateway"] = func(ctx context.Context) error {
		if g := d.gateway.Load(); g != nil {
			return g.Healthy(ctx)
		}
		return nil // waiting for a free shard: a standby, not a fault
	}
	if d.cfg.Discord.ShardID.Auto() {
		goPart("gateway", d.gatewayShards().Run)
		return
	}
	goPart("gateway", func(ctx context.Context) error { return d.connect(ctx, d.bot, d.session) })
}

// newBot answers slash commands on session dg.
func (d *discordParts) newBot(dg *discordgo.Session) (*bot.Bot, error) {
	d.optsMu.Lock()
	opts := d.botOpts
	d.optsMu.Unlock()
	opts.Session = dg
	return bot.New(opts)
}

// connect holds the gateway connection of b, on session s, until ctx ends.
func (d *discordParts) connect(ctx context.Context, b *bot.Bot, s *discordgo.Session) error {
	d.gateway.Store(b)
	defer d.gateway.CompareAndSwap(b, nil)
	err := retryStartup(ctx, d.log, "connecting to Discord", func() error {
		if err := checkToken(ctx, s); err != nil {
			return err
		}
		return b.Open(ctx)
	})
	if err != nil || ctx.Err() != nil {
		return err
	}
	logConnected(d.log, d.cfg, s)
	d.log.Info("slash commands registered", slog.String("dev_guild_id", d.cfg.Discord.DevGuildID), slog.String("where", commandsWhere(d.cfg)))
	<-ctx.Done()
	return b.Close()
}

// gatewayShards takes whichever shard no other instance holds, through a
// lease per shard ("shard:N"), and connects as it while it holds the
// lease; a shard whose instance died is taken over like the pipeline.
// Each connection gets a new session and bot, since a closed bot stays
// closed.
func (d *discordParts) gatewayShards() *lease.Singleton {
	n := d.cfg.Discord.ShardCount
	names := make([]string, n)
	for i := range names {
		names[i] = "shard:" + strconv.Itoa(i)
	}
	return &lease.Singleton{
		Store: d.store, Names: names, Owner: instanceName(), Log: d.log,
		Work: func(ctx context.Context, name string) error {
			id, _ := strconv.Atoi(strings.TrimPrefix(name, "shard:"))
			dg, err := newDiscordSession(d.cfg)
			if err != nil {
				return err
			}
			if d.configure != nil {
				d.configure(dg)
			}
			dg.ShardID = id
			b, err := d.newBot(dg)
			if err != nil {
				return err
			}
			if err := d.connect(ctx, b, dg); errors.Is(err, errTokenRejected) {
				return err
			} else if err != nil {
				// Shutting down or handing the shard over: the next
				// connection is a new bot, so a close error ends nothing.
				d.log.Warn("closing the gateway connection", slog.Int("shard_id", id), slog.Any("err", err))
			}
			return nil
		},
	}
}

// serveInteractions registers the commands over REST and answers
// interactions that Discord POSTs to the endpoint.
func (d *discordParts) serveInteractions(ctx context.Context) error {
	key, err := bot.ParsePublicKey(d.cfg.Discord.PublicKey)
	if err != nil {
		return fmt.Errorf("discord.public_key: %w", err)
	}
	// Close waits for deferred commands still working after their first
	// response, so the store is not closed under them at shutdown.
	defer d.bot.Close()
	register := func() error {
		if err := d.bot.RegisterCommands(ctx); err != nil {
			return discordFailure("registering slash commands", err)
		}
		return nil
	}
	if err := retryStartup(ctx, d.log, "registering slash commands", register); err != nil {
		return err
	}
	d.log.Info("slash commands registered; answering interactions over HTTP", slog.String("addr", d.cfg.Discord.InteractionsListen))
	return listenError("discord.interactions_listen", admin.Serve(ctx, "interactions", d.cfg.Discord.InteractionsListen, d.bot.InteractionsHandler(key), d.log))
}

// retryStartup runs start until it succeeds or ctx ends, backing off up to
// five minutes: a Discord outage at start-up should not stop the polling
// and the pipeline, which keep recording stories for when Discord is back.
// A rejected token ends the process: retrying cannot fix it.
func retryStartup(ctx context.Context, log *slog.Logger, what string, start func() error) error {
	wait := 5 * time.Second
	for {
		err := start()
		if err == nil || ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, errTokenRejected) {
			return err
		}
		log.Error(what+" failed; will retry", slog.Any("err", err), slog.Duration("retry_in", wait))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Minute)
	}
}

// commandsWhere says where slash commands appear and how soon.
func commandsWhere(cfg *config.Config) string {
	if cfg.Discord.DevGuildID != "" {
		return "in server " + cfg.Discord.DevGuildID + " only, at once (discord.dev_guild_id)"
	}
	return "in every server the bot is in; new global commands can take up to an hour to appear (set discord.dev_guild_id for instant ones while testing)"
}
