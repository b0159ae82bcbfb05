package admin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/metrics"
)

func TestHealthz(t *testing.T) {
	tests := []struct {
		name   string
		checks map[string]Check
		want   int
		body   string
	}{
		{"all ok", map[string]Check{"store": func(context.Context) error { return nil }}, 200, `"store":"ok"`},
		{"one failing", map[string]Check{
			"store":   func(context.Context) error { return nil },
			"sources": func(context.Context) error { return errors.New("no source polled in 10m") },
		}, 503, `"sources":"no source polled in 10m"`},
		// Some outlets failing is listed but is no reason to restart.
		{"degraded", map[string]Check{
			"store":   func(context.Context) error { return nil },
			"sources": func(context.Context) error { return Degraded("2 of 16 sources failing: a (HTTP 404), b (timed out)") },
		}, 200, `"sources":"degraded: 2 of 16 sources failing: a (HTTP 404), b (timed out)"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			Handler(metrics.New().Registry, tt.checks).ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
			if rec.Code != tt.want || !strings.Contains(rec.Body.String(), tt.body) {
				t.Fatalf("got %d %s; want %d containing %s", rec.Code, rec.Body, tt.want, tt.body)
			}
			var v struct{ OK bool }
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || v.OK != (tt.want == 200) {
				t.Errorf("body %s: ok=%v err=%v", rec.Body, v.OK, err)
			}
		})
	}
}

func TestMetricsExposed(t *testing.T) {
	m := metrics.New()
	m.ItemsRelevant.Inc()
	m.Polls.WithLabelValues("bbc", "ok").Inc()
	rec := httptest.NewRecorder()
	Handler(m.Registry, nil).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{"briefbot_items_relevant_total 1", `briefbot_source_polls_total{result="ok",source="bbc"} 1`, "go_goroutines"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if rec.Code != http.StatusOK {
		t.Errorf("status %d", rec.Code)
	}
}
