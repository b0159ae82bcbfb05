package sqlite

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/storetest"
)

func benchStore(b *testing.B) *Store {
	b.Helper()
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkRecordPoll: see storetest.BenchRecordPoll. Here the 8 parallel
// sources all queue for the single writer.
func BenchmarkRecordPoll(b *testing.B) {
	storetest.BenchRecordPoll(b, func(b *testing.B) store.Store { return benchStore(b) })
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
		if _, err := s.RecordPoll(b.Context(), "src", store.Poll{At: at, Items: storetest.BenchWindow("src", i*100+99, 100, at)}); err != nil {
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
