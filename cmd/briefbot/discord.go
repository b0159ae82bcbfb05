package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/admin"
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
func newDiscordSession(cfg *config.Config, log *slog.Logger) (*discordgo.Session, error) {
	dg, err := discordgo.New("Bot " + cfg.DiscordToken)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	dg.Client = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone(), Timeout: 30 * time.Second}
	dg.UserAgent = "DiscordBot (https://github.com/briefbot/briefbot, " + buildVersion() + ")"
	dg.Identify.Intents = discordgo.IntentsGuilds // slash commands need no message content
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
	session  *discordgo.Session
	poster   *poster.Poster
	digester *poster.Digester
}

func newDiscord(cfg *config.Config, st store.Store, classifier *topic.Classifier, feeds []source.Feed, log *slog.Logger, m *metrics.Metrics) (*discordParts, error) {
	dg, err := newDiscordSession(cfg, log)
	if err != nil {
		return nil, err
	}
	outlets := make(map[string]string, len(feeds))
	for _, f := range feeds {
		outlets[f.Name] = f.Outlet
	}
	p, d, err := newPoster(dg, st, log, m, outlets)
	if err != nil {
		return nil, err
	}
	return &discordParts{session: dg, poster: p, digester: d}, nil
}

// start runs the Discord parts beside the pipeline and adds their checks.
func (d *discordParts) start(goPart func(string, func(context.Context) error), checks map[string]admin.Check) {
	goPart("poster", d.poster.Run)
	goPart("digests", d.digester.Run)
}
