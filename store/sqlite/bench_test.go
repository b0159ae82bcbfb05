package sqlite

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

// benchItem is sized like a real feed entry: a headline, a two-sentence
// teaser and a few paragraphs of body.
func benchItem(src string, n int, at time.Time) story.Item {
	key := fmt.Sprintf("https://%s.example/news/2025/03/14/story-%d", src, n)
	return story.Item{
		Source:      src,
		Key:         key,
		GUID:        key,
		Link:        key,
		Title:       fmt.Sprintf("Envoys meet for round %d of indirect talks as regional mediators push for a deal", n),
		Description: strings.Repeat("Delegations met for several hours and agreed to continue talks next week. ", 4),
		Content:     strings.Repeat("Officials familiar with the talks said both sides exchanged written proposals. ", 20),
		Author:      "Staff reporter",
		Language:    "en",
		Published:   at.Add(-20 * time.Minute),
		Fetched:     at,
	}
}

// window is one poll of a feed that shows its newest size items, the newest
// being number newest.
func window(src string, newest, size int, at time.Time) []store.NewItem {
	items := make([]store.NewItem, 0, size)
	for n := newest; n > newest-size && n >= 0; n-- {
		items = append(items, store.NewItem{Item: benchItem(src, n, at), Pending: true})
	}
	return items
}

func benchStore(b *testing.B) *Store {
	b.Helper()
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkRecordPoll reports inserted items per second for the polls a
// running bot makes: a new source's first page, a feed of 50 that gained 2
// items since the last poll (the common case: mostly duplicates), and 8
// sources polled at once, which all queue for the single writer.
func BenchmarkRecordPoll(b *testing.B) {
	const size = 50
	b.Run("first-poll-50-new", func(b *testing.B) {
		s := benchStore(b)
		at := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
		inserted := 0
		for i := 0; b.Loop(); i++ {
			src := fmt.Sprintf("src%d", i)
			if err := s.EnsureSource(b.Context(), src, "https://"+src+".example/feed"); err != nil {
				b.Fatal(err)
			}
			got, err := s.RecordPoll(b.Context(), src, store.Poll{At: at, Items: window(src, size-1, size, at)})
			if err != nil {
				b.Fatal(err)
			}
			inserted += len(got)
		}
		b.ReportMetric(float64(inserted)/b.Elapsed().Seconds(), "items/s")
	})
	b.Run("steady-2-new-of-50", func(b *testing.B) {
		s := benchStore(b)
		if err := s.EnsureSource(b.Context(), "src", "https://src.example/feed"); err != nil {
			b.Fatal(err)
		}
		at := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
		if _, err := s.RecordPoll(b.Context(), "src", store.Poll{At: at, Items: window("src", size-1, size, at)}); err != nil {
			b.Fatal(err)
		}
		inserted, polled := 0, 0
		for i := 0; b.Loop(); i++ {
			at := at.Add(time.Duration(i+1) * 2 * time.Minute)
			got, err := s.RecordPoll(b.Context(), "src", store.Poll{At: at, Items: window("src", size-1+2*(i+1), size, at)})
			if err != nil {
				b.Fatal(err)
			}
			inserted += len(got)
			polled += size
		}
		b.ReportMetric(float64(inserted)/b.Elapsed().Seconds(), "items/s")
		b.ReportMetric(float64(polled)/b.Elapsed().Seconds(), "feed-items/s")
	})
	b.Run("parallel-8-sources-2-new-of-50", func(b *testing.B) {
		s := benchStore(b)
		for i := range 8 {
			src := fmt.Sprintf("src%d", i)
			if err := s.EnsureSource(b.Context(), src, "https://"+src+".example/feed"); err != nil {
				b.Fatal(err)
			}
		}
		const parallelism = 4 // × GOMAXPROCS goroutines, like that many pollers
		at := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
		// Each goroutine polls its own number range, so every poll's 2
		// newest items are new; its first window is stored before timing.
		goroutines := parallelism * runtime.GOMAXPROCS(0)
		for id := 1; id <= goroutines; id++ {
			src := fmt.Sprintf("src%d", id%8)
			if _, err := s.RecordPoll(b.Context(), src, store.Poll{At: at, Items: window(src, id*1_000_000+size-1, size, at)}); err != nil {
				b.Fatal(err)
			}
		}
		var next, inserted atomic.Int64
		b.SetParallelism(parallelism)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			id := int(next.Add(1))
			src := fmt.Sprintf("src%d", id%8)
			base := id * 1_000_000
			for i := 1; pb.Next(); i++ {
				got, err := s.RecordPoll(b.Context(), src, store.Poll{At: at, Items: window(src, base+size-1+2*i, size, at)})
				if err != nil {
					b.Error(err)
					return
				}
				inserted.Add(int64(len(got)))
			}
		})
		b.ReportMetric(float64(inserted.Load())/b.Elapsed().Seconds(), "items/s")
	})
}

// BenchmarkPendingItems measures the pipeline's queue read with a large
// backlog of done items beside it.
func BenchmarkPendingItems(b *testing.B) {
	s := benchStore(b)
	if err := s.EnsureSource(b.Context(), "src", "https://src.example/feed"); err != nil {
		b.Fatal(err)
	}
	at := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	for i := range 100 { // 10,000 items
		if _, err := s.RecordPoll(b.Context(), "src", store.Poll{At: at, Items: window("src", i*100+99, 100, at)}); err != nil {
			b.Fatal(err)
		}
	}
	// Mark all but the newest 50 done in one statement; CompleteItem per
	// item would make the setup dominate the run.
	if _, err := s.write.ExecContext(b.Context(), `
		UPDATE items SET state = 'done', decision = '{"score":0.1}'
		WHERE id NOT IN (SELECT id FROM items ORDER BY id DESC LIMIT 50)`); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		got, err := s.PendingItems(b.Context(), 20)
		if err != nil || len(got) != 20 {
			b.Fatalf("PendingItems = %d, %v", len(got), err)
		}
	}
}
