package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"
)

// A prune batch that has started runs to the end even if Prune's context
// ends meanwhile, like every other write: interrupted inside a shared
// transaction, its statement would make SQLite roll back the other writes
// in it too. Cancellation stops Prune between batches.
func TestPruneBatchOutlivesItsContext(t *testing.T) {
	s, _ := openTemp(t)
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 3
	for i := range n {
		if err := s.CacheSummary(t.Context(), fmt.Sprint("k", i), "summary", old); err != nil {
			t.Fatal(err)
		}
	}
	cut, err := timeArg(old.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	release := holdWriter(t, s)
	// Shares the prune's transaction and runs first: the prune's context
	// ends after its write was taken, before its statement runs.
	first := make(chan error, 1)
	go func() {
		first <- s.inWrite(t.Context(), func(context.Context, *sql.Tx) error { cancel(); return nil })
	}()
	waitQueued(t, s, 1)
	var pruned int64
	pruneErr := make(chan error, 1)
	go func() { pruneErr <- s.pruneAll(ctx, &pruned, sqlPruneSummaries, cut) }()
	waitQueued(t, s, 2)
	release()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-pruneErr; err != nil {
		t.Errorf("prune batch whose context ended while it ran: %v; want it to finish", err)
	}
	var left int
	if err := s.read.QueryRowContext(t.Context(), `SELECT count(*) FROM summary_cache`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if pruned != n || left != 0 {
		t.Errorf("pruned %d, %d left; want %d pruned, none left", pruned, left, n)
	}
}
