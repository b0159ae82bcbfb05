package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/sqlite"
	"github.com/briefbot/briefbot/story"
)

// run's retention pass deletes a story older than retention.stories and
// keeps a recent one, on a real SQLite file.
func TestRetentionPrunesOldStories(t *testing.T) {
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "briefbot.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.EnsureSource(ctx, "wire", "https://wire.example/feed"); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	storyAt := func(key string, at time.Time) int64 {
		t.Helper()
		it := story.Item{Source: "wire", Key: key, Link: "https://wire.example/" + key, Title: "Envoys meet " + key,
			Description: "Talks went on.", Published: at, Fetched: at}
		ins, err := st.RecordPoll(ctx, "wire", store.Poll{At: at, Items: []store.NewItem{{Item: it, Pending: true}}})
		if err != nil || len(ins) != 1 {
			t.Fatalf("RecordPoll: %v", err)
		}
		d := store.Decision{Relevant: true, Score: 0.9, Topics: []string{"diplomacy"}, Summary: "Talks.", At: at}
		if err := st.CompleteItem(ctx, ins[0].ID, d); err != nil {
			t.Fatal(err)
		}
		si, err := st.Item(ctx, ins[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		return si.Decision.StoryID
	}
	old := storyAt("old", now.Add(-200*24*time.Hour))
	recent := storyAt("recent", now.Add(-24*time.Hour))

	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	pruneOnce(ctx, st, config.Retention{Stories: 180 * 24 * time.Hour, Deliveries: 180 * 24 * time.Hour}, log, now)
	if _, err := st.Story(ctx, old); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the 200-day-old story: %v, want it pruned", err)
	}
	if _, err := st.Story(ctx, recent); err != nil {
		t.Errorf("the day-old story: %v", err)
	}
	if !strings.Contains(logs.String(), "pruned data past retention") || !strings.Contains(logs.String(), "stories=1") {
		t.Errorf("log = %q, want the prune counted", logs.String())
	}
	// runRetention prunes at once and returns when ctx ends.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := runRetention(cctx, st, config.Retention{Stories: time.Hour, Deliveries: time.Hour}, log, func() time.Time { return now }); err != nil {
		t.Errorf("runRetention = %v", err)
	}
}
