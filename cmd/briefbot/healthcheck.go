package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

func init() {
	var cfgPath string
	register(&command{
		name:    "healthcheck",
		summary: "exit 0 if the running bot's /healthz on admin.listen is healthy (for Docker HEALTHCHECK)",
		flags:   func(fs *flag.FlagSet) { configFlag(fs, &cfgPath) },
		run: func(ctx context.Context, e *env, args []string) error {
			cfg, _, err := loadConfig(e, cfgPath)
			if err != nil {
				return err
			}
			if cfg.Admin.Listen == "" {
				return fmt.Errorf("admin.listen is empty, so there is no /healthz to ask: set it (default 127.0.0.1:9090)")
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
