package main

import (
	"testing"
	"time"

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
