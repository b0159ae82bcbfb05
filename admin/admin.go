// Package admin serves the operator endpoints: /healthz for orchestrators
// and the Docker HEALTHCHECK, and Prometheus /metrics.
package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Check reports one component's health; a nil error means healthy, and
// an error made by Degraded means working in part.
type Check func(ctx context.Context) error

// Degraded is a Check's answer for a component that works in part (some
// sources failing): /healthz lists it as "degraded: msg" but still
// answers 200, since restarting the bot would not mend an outlet's feed.
func Degraded(msg string) error { return &degradedError{msg} }

type degradedError struct{ msg string }

func (e *degradedError) Error() string { return "degraded: " + e.msg }

// Handler returns the admin mux: /healthz runs every check (each with a
// short timeout) and answers 200 or 503 with a JSON body naming what failed
// and what is degraded.
func Handler(reg *prometheus.Registry, checks map[string]Check) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		status, results := http.StatusOK, map[string]string{}
		names := make([]string, 0, len(checks))
		for n := range checks {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			err := checks[n](ctx)
			var d *degradedError
			if errors.As(err, &d) {
				results[n] = d.Error()
				continue
			}
			if err != nil {
				status, results[n] = http.StatusServiceUnavailable, err.Error()
				continue
			}
			results[n] = "ok"
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": status == http.StatusOK, "checks": results})
	})
	return mux
}

// Serve listens on addr until ctx is done, then shuts down gracefully.
// name says which listener it is in logs ("admin", "websub",
// "interactions"). Timeouts bound slow clients: some of these endpoints
// face the internet.
func Serve(ctx context.Context, name, addr string, h http.Handler, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		// The caller names the configuration key to change.
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	log.Info("listener started", slog.String("listener", name), slog.String("addr", ln.Addr().String()))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("admin: %w", err)
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("admin: shutdown: %w", err)
		}
		return nil
	}
}
