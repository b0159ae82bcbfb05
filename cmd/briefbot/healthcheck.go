package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/briefbot/briefbot/config"
)

func init() {
	var cfgPath string
	register(&command{
		name:    "healthcheck",
		summary: "exit 0 if the running bot's /healthz on admin.listen is healthy, or with admin.listen off if the database shows recent polls (for Docker HEALTHCHECK)",
		flags:   func(fs *flag.FlagSet) { configFlag(fs, &cfgPath) },
		run: func(ctx context.Context, e *env, args []string) error {
			cfg, log, err := loadConfig(e, cfgPath)
			if err != nil {
				return err
			}
			if cfg.Admin.Listen == "" {
				return databaseHealth(ctx, e, cfg, log)
			}
			host, port, _ := net.SplitHostPort(cfg.Admin.Listen)
			if host == "" || host == "0.0.0.0" || host == "::" {
				host = "127.0.0.1"
			}
			url := "http://" + net.JoinHostPort(host, port) + "/healthz"
			ctx, cancel := context.WithTimeout(ctx, 4*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return err
			}
			// This talks to our own listener on this host: never via a proxy.
			tr := http.DefaultTransport.(*http.Transport).Clone()
			tr.Proxy = nil
			client := &http.Client{Transport: tr}
			resp, err := client.Do(req)
			if err != nil {
				return fmt.Errorf("%s: %w", url, err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			fmt.Fprintf(e.stdout, "%s", body)
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("%s answered %s", url, resp.Status)
			}
			return nil
		},
	})
}

// databaseHealth is the health check without a /healthz to ask: the bot
// is taken as alive when the database it writes to shows a source polled
// successfully within the grace /healthz allows. With several instances
// on one PostgreSQL database, that is the fleet's health, not this one's.
func databaseHealth(ctx context.Context, e *env, cfg *config.Config, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	st, err := openStore(ctx, cfg, log, false)
	if err != nil {
		return fmt.Errorf("admin.listen is off, so there is no /healthz to ask, and the database cannot be read either: %w", err)
	}
	defer st.Close()
	feeds := feedsFromConfig(cfg)
	grace := max(3*slowestInterval(cfg, feeds), 10*time.Minute)
	if err := sourcesHealthy(ctx, st, time.Time{}, slowestInterval(cfg, feeds)); err != nil {
		return fmt.Errorf("admin.listen is off, so the database was checked instead: %w (set admin.listen to ask the running bot itself)", err)
	}
	fmt.Fprintf(e.stdout, "ok: a source was polled successfully within the last %s (admin.listen is off, so the database was checked instead of /healthz)\n", grace)
	return nil
}
