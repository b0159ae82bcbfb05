package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/storetest"
)

// A simulated year of running: 2,000 items a day over 40 sources, a tenth
// of them relevant (half starting a story, half joining one), each story
// posted to two channels, one daily digest, a cached summary per relevant
// item. It runs twice in one benchmark, with the default retention (180
// days, pruned daily as run does hourly) and without, and reports the
// database file sizes and their ratio. Run it with -benchtime=1x (it takes
// minutes). BRIEFBOT_BENCH_YEAR_DAYS=N simulates N days instead, with the
// retention scaled alike: CI's smoke pass uses it.
const (
	simSources     = 40
	simItemsPerDay = 2000
	simRelevant    = 10 // one item in simRelevant
)

func BenchmarkRetentionYear(b *testing.B) {
	days := 365
	if v := os.Getenv("BRIEFBOT_BENCH_YEAR_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 {
			b.Fatalf("BRIEFBOT_BENCH_YEAR_DAYS=%q: want a whole number of days, at least 2", v)
		}
		days = n
	}
	retention := time.Duration(days) * 180 * 24 * time.Hour / 365
	for b.Loop() {
		with := simulateYear(b, days, retention)
		without := simulateYear(b, days, 0)
		b.ReportMetric(float64(with)/1e6, "MB-with-retention")
		b.ReportMetric(float64(without)/1e6, "MB-without")
		b.ReportMetric(float64(with)/float64(without), "size-ratio")
	}
}

// simulateYear returns the database file's size (WAL checkpointed) after
// days days, pruning daily when retention is positive.
func simulateYear(b *testing.B, days int, retention time.Duration) int64 {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "year.db")
	s, err := Open(ctx, path, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for i := range simSources {
		if err := s.EnsureSource(ctx, fmt.Sprint("src", i), fmt.Sprintf("https://src%d.example/feed", i)); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, ch := range []string{"chan-1", "chan-2"} {
		if _, err := s.Subscribe(ctx, store.Subscription{ChannelID: ch, GuildID: "g", Topic: "diplomacy", Mode: store.ModeRealtime, Since: start}); err != nil {
			b.Fatal(err)
		}
	}
	digest, err := s.Subscribe(ctx, store.Subscription{ChannelID: "chan-3", GuildID: "g", Topic: "diplomacy", Mode: store.ModeDigest, DigestTimes: []string{"08:00"}, Since: start})
	if err != nil {
		b.Fatal(err)
	}
	perSource := simItemsPerDay / simSources
	n := 0
	for day := range days {
		now := start.Add(time.Duration(day) * 24 * time.Hour)
		var todays []int64
		lastStory := int64(0)
		for src := range simSources {
			name := fmt.Sprint("src", src)
			items := make([]store.NewItem, perSource)
			for i := range items {
				n++
				it := storetest.BenchItem(name, n, now.Add(time.Duration(src)*time.Minute))
				items[i] = store.NewItem{Item: it, Pending: true}
			}
			ins, err := s.RecordPoll(ctx, name, store.Poll{At: now.Add(time.Duration(src) * time.Minute), Items: items})
			if err != nil {
				b.Fatal(err)
			}
			for i, it := range ins {
				if i%simRelevant != 0 {
					continue
				}
				d := store.Decision{Relevant: true, Score: 0.8, Topics: []string{"diplomacy"}, Subtopics: []string{"talks"},
					Reasons: []string{"matched: talks", "matched: envoys"}, Summary: it.Description, At: it.Fetched}
				if i%(2*simRelevant) != 0 && lastStory != 0 {
					d.StoryID = lastStory
				}
				if err := s.CompleteItem(ctx, it.ID, d); err != nil {
					b.Fatal(err)
				}
				si, err := s.Item(ctx, it.ID)
				if err != nil {
					b.Fatal(err)
				}
				if si.Decision.StoryID != lastStory {
					todays = append(todays, si.Decision.StoryID)
				}
				lastStory = si.Decision.StoryID
				if err := s.CacheSummary(ctx, fmt.Sprint("llm:", it.Key), it.Description, it.Fetched); err != nil {
					b.Fatal(err)
				}
			}
		}
		// The irrelevant rest, as the pipeline would record them; one
		// statement instead of 1,800 CompleteItem calls a day.
		if _, err := s.write.ExecContext(ctx, `
			UPDATE items SET state = 'done',
			    decision = '{"relevant":false,"score":0.12,"reasons":["no topic terms in the title"],"at":"2025-01-01T00:00:00Z"}'
			WHERE state = 'pending'`); err != nil {
			b.Fatal(err)
		}
		evening := now.Add(23 * time.Hour)
		if _, err := s.EnqueueDigest(ctx, digest.ID, evening, todays); err != nil {
			b.Fatal(err)
		}
		for {
			ds, err := s.ClaimDeliveries(ctx, "bench", evening, time.Minute, 500)
			if err != nil {
				b.Fatal(err)
			}
			if len(ds) == 0 {
				break
			}
			for _, d := range ds {
				if err := s.DeliverySent(ctx, d.ID, fmt.Sprint("msg-", d.ID), evening); err != nil {
					b.Fatal(err)
				}
			}
		}
		if retention > 0 {
			if _, err := s.Prune(ctx, store.Retention{StoriesBefore: evening.Add(-retention), DeliveriesBefore: evening.Add(-retention)}); err != nil {
				b.Fatal(err)
			}
		}
	}
	if _, err := s.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return fi.Size()
}
