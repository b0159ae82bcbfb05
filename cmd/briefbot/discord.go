package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/briefbot/briefbot/admin"
	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/poster"
	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/metrics"
	"github.com/briefbot/briefbot/source"
	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/topic"
)

// newDiscordSession returns a discordgo session whose HTTP client is built
// from http.DefaultTransport's settings, so HTTPS_PROXY, NO_PROXY and
// SSL_CERT_FILE apply to Discord's API as users behind proxies expect.
func newDiscordSession(cfg *config.Config) (*discordgo.Session, error) {
	dg, err := discordgo.New("Bot " + cfg.DiscordToken)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	dg.Client = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone(), Timeout: 30 * time.Second}
	dg.UserAgent = "DiscordBot (https://github.com/briefbot/briefbot, " + buildVersion() + ")"
	dg.LogLevel = discordgo.LogWarning
	return dg, nil
}

// instanceName names this process in delivery claims and logs.
func instanceName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "briefbot"
	}
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

// newPoster builds the outbox worker and the digest scheduler, counting
// into m.
func newPoster(dg *discordgo.Session, st store.Store, log *slog.Logger, m *metrics.Metrics, outlets map[string]string) (*poster.Poster, *poster.Digester, error) {
	p, err := poster.New(poster.Options{
		Session: dg,
		Store:   st,
		Owner:   instanceName(),
		Log:     log,
		OutletName: func(src string) string {
			if o := outlets[src]; o != "" {
				return o
			}
			return src
		},
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
	d, err := poster.NewDigester(poster.DigesterOptions{Store: st, Log: log, Wake: p.Wake})
	if err != nil {
		return nil, nil, err
	}
	return p, d, nil
}

// discordParts is everything that runs only with a Discord token.
type discordParts struct {
	cfg      *config.Config
	log      *slog.Logger
	session  *discordgo.Session
	bot      *bot.Bot
	poster   *poster.Poster
	digester *poster.Digester
}

func newDiscord(cfg *config.Config, st store.Store, classifier *topic.Classifier, feeds []source.Feed, log *slog.Logger, m *metrics.Metrics, configure func(*discordgo.Session)) (*discordParts, error) {
	dg, err := newDiscordSession(cfg)
	if err != nil {
		return nil, err
	}
	if configure != nil {
		configure(dg)
	}
	outlets := make(map[string]string, len(feeds))
	for _, f := range feeds {
		outlets[f.Name] = f.Outlet
	}
	p, d, err := newPoster(dg, st, log, m, outlets)
	if err != nil {
		return nil, err
	}
	sources := make([]bot.SourceInfo, len(feeds))
	for i, f := range feeds {
		sources[i] = bot.SourceInfo{Name: f.Name, Outlet: f.Outlet, URL: f.URL}
	}
	b, err := bot.New(bot.Options{
		Session:       dg,
		Store:         st,
		Topics:        bot.TopicsOf(classifier),
		Sources:       sources,
		CanonicalLink: func(s string) string { return source.CanonicalLink(s, nil) },
		ApplicationID: cfg.Discord.ApplicationID,
		DevGuildID:    cfg.Discord.DevGuildID,
		Log:           log,
		Observe: func(ev bot.CommandEvent) {
			if ev.Kind == "command" {
				m.CommandLatency.WithLabelValues(ev.Command, ev.Outcome).Observe(ev.Latency.Seconds())
			}
		},
	})
	if err != nil {
		return nil, err
	}
	parts := &discordParts{cfg: cfg, log: log, session: dg, bot: b, poster: p, digester: d}
	if !parts.httpMode() {
		m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "briefbot_gateway_connected", Help: "1 while the Discord gateway connection is up.",
		}, func() float64 {
			if b.Connected() {
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
	checks["gateway"] = d.bot.Healthy
	goPart("gateway", func(ctx context.Context) error {
		err := retryStartup(ctx, d.log, "connecting to Discord", func() error { return d.bot.Open(ctx) })
		if err != nil {
			return err
		}
		d.log.Info("connected to Discord; slash commands registered", slog.String("dev_guild_id", d.cfg.Discord.DevGuildID))
		<-ctx.Done()
		return d.bot.Close()
	})
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
	if err := retryStartup(ctx, d.log, "registering slash commands", func() error { return d.bot.RegisterCommands(ctx) }); err != nil {
		return err
	}
	d.log.Info("slash commands registered; answering interactions over HTTP", slog.String("addr", d.cfg.Discord.InteractionsListen))
	return admin.Serve(ctx, "interactions", d.cfg.Discord.InteractionsListen, d.bot.InteractionsHandler(key), d.log)
}

// retryStartup runs start until it succeeds or ctx ends, backing off up to
// five minutes: a Discord outage at start-up should not stop the polling
// and the pipeline, which keep recording stories for when Discord is back.
// A rejected token still ends the process, through the poster.
func retryStartup(ctx context.Context, log *slog.Logger, what string, start func() error) error {
	wait := 5 * time.Second
	for {
		err := start()
		if err == nil || ctx.Err() != nil {
			return nil
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
