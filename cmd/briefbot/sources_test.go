package main

import (
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/source"
	"github.com/briefbot/briefbot/store"
)

func TestSourceHealthWords(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		st   store.SourceState
		want string
	}{
		{store.SourceState{}, "not polled yet"},
		{store.SourceState{LastPoll: now, LastSuccess: now}, "ok"},
		{store.SourceState{LastPoll: now, LastSuccess: now, Warning: "no items found"}, "warning: no items found"},
		{store.SourceState{LastPoll: now, LastErrorAt: now, Failures: 2, Warning: "no items found"}, "failing (2 times in a row)"},
	}
	for _, tt := range tests {
		if got := health(tt.st); got != tt.want {
			t.Errorf("health(%+v) = %q, want %q", tt.st, got, tt.want)
		}
	}
}

// TestWriteSourcesShowsInterval: `briefbot sources` shows each source's
// interval as the poller last set it, and why.
func TestWriteSourcesShowsInterval(t *testing.T) {
	now := time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC)
	feeds := []source.Feed{{Name: "busy", Outlet: "Busy", URL: "https://a.example/feed"}, {Name: "new", Outlet: "New", URL: "https://b.example/feed"}}
	states := []store.SourceState{
		{Name: "busy", LastPoll: now.Add(-time.Minute), LastSuccess: now.Add(-time.Minute), PollInterval: 45 * time.Second, PollReason: "adaptive, 96 items/day"},
		{Name: "new"},
	}
	var out strings.Builder
	if err := writeSources(&out, feeds, states, now); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if !strings.Contains(lines[0], "INTERVAL") {
		t.Errorf("header %q has no INTERVAL column", lines[0])
	}
	if !strings.Contains(lines[1], "45s (adaptive, 96 items/day)") {
		t.Errorf("busy source line %q lacks its interval and reason", lines[1])
	}
	if f := strings.Fields(lines[2]); len(f) < 2 || !strings.Contains(lines[2], " - ") {
		t.Errorf("unpolled source line %q should show - for its interval", lines[2])
	}
}
