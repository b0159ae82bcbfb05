package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// holdWriter starts a write that blocks the writer until release is
// called, so that the writes made meanwhile queue and share the next
// transaction.
func holdWriter(t *testing.T, s *Store) (release func()) {
	t.Helper()
	inside, gate := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.inWrite(context.Background(), func(context.Context, *sql.Tx) error {
			close(inside)
			<-gate
			return nil
		})
	}()
	<-inside
	return func() {
		close(gate)
		if err := <-done; err != nil {
			t.Errorf("holding write: %v", err)
		}
	}
}

// waitQueued waits until n writes wait behind the held one.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(s.writes) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued; want %d", len(s.writes), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// runBatch queues fns, in order, behind the write release holds, then
// releases it, so they run as one batch; it returns each one's error.
func runBatch(t *testing.T, s *Store, release func(), fns ...func(context.Context, *sql.Tx) error) []error {
	t.Helper()
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = s.inWrite(t.Context(), fn) })
		waitQueued(t, s, i+1)
	}
	release()
	wg.Wait()
	return errs
}

func sourceNames(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.read.QueryContext(t.Context(), `SELECT name FROM sources ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	return names
}

func insertSource(name string) func(context.Context, *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sources (name, url) VALUES (?, ?)`, name, "https://"+name+".example/")
		return err
	}
}

// Writes that queue together share a transaction, and one that fails, or
// panics, undoes only its own changes: the others commit, and each caller
// hears its own outcome.
func TestBatchedWritesFailAlone(t *testing.T) {
	errBroken := errors.New("broken write")
	tests := []struct {
		name string
		fn   func(context.Context, *sql.Tx) error
	}{
		{"ok", insertSource("a")},
		{"fails after writing", func(ctx context.Context, tx *sql.Tx) error {
			if err := insertSource("b")(ctx, tx); err != nil {
				return err
			}
			return errBroken
		}},
		{"statement error", func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO no_such_table VALUES (1)`)
			return err
		}},
		{"panics after writing", func(ctx context.Context, tx *sql.Tx) error {
			if err := insertSource("c")(ctx, tx); err != nil {
				return err
			}
			panic("write panicked")
		}},
		{"ok too", insertSource("d")},
	}
	s, _ := openTemp(t)
	release := holdWriter(t, s)
	type outcome struct {
		err      error
		panicked any
	}
	outcomes := make([]outcome, len(tests))
	var wg sync.WaitGroup
	for i, tc := range tests {
		wg.Go(func() {
			defer func() { outcomes[i].panicked = recover() }()
			outcomes[i].err = s.inWrite(t.Context(), tc.fn)
		})
		waitQueued(t, s, i+1) // in order, so all five are one batch
	}
	release()
	wg.Wait()

	if got, want := sourceNames(t, s), []string{"a", "d"}; !slices.Equal(got, want) {
		t.Errorf("sources after the batch = %v; want %v (the failed writes' rows undone, the others kept)", got, want)
	}
	for i, tc := range tests {
		o := outcomes[i]
		switch tc.name {
		case "ok", "ok too":
			if o.err != nil || o.panicked != nil {
				t.Errorf("%s: err %v, panic %v; want success", tc.name, o.err, o.panicked)
			}
		case "fails after writing":
			if !errors.Is(o.err, errBroken) {
				t.Errorf("%s: err %v; want its own error", tc.name, o.err)
			}
		case "statement error":
			if o.err == nil {
				t.Errorf("%s: no error", tc.name)
			}
		case "panics after writing":
			if o.panicked != "write panicked" {
				t.Errorf("%s: panic %v, err %v; want the panic re-raised in the caller", tc.name, o.panicked, o.err)
			}
		}
	}
}

// A write still queued when its context ends is dropped and its caller
// told so; one under way finishes and reports what happened.
func TestWriteCancellation(t *testing.T) {
	s, _ := openTemp(t)
	release := holdWriter(t, s)
	ctx, cancel := context.WithCancel(t.Context())
	queued := make(chan error, 1)
	go func() { queued <- s.inWrite(ctx, insertSource("dropped")) }()
	waitQueued(t, s, 1)
	cancel()
	if err := <-queued; !errors.Is(err, context.Canceled) {
		t.Errorf("queued write cancelled: err %v; want context.Canceled", err)
	}
	release()

	ctx, cancel = context.WithCancel(t.Context())
	err := s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		cancel() // the caller gives up while its write runs
		return insertSource("finished")(ctx, tx)
	})
	if err != nil {
		t.Errorf("write under way when its context ended: %v; want it to finish", err)
	}
	if got, want := sourceNames(t, s), []string{"finished"}; !slices.Equal(got, want) {
		t.Errorf("sources = %v; want %v", got, want)
	}
}

// Poll writes made at once share transactions: fewer commits than writes,
// every write kept.
func TestPollWritesShareTransactions(t *testing.T) {
	s, _ := openTemp(t)
	// Past a new store's first second, when poll writes start waiting for
	// company (the writer reads this only after the next write is queued).
	s.lonelyUntil = time.Time{}
	tx0 := s.txCount.Load() // the migrations'
	const writers, each = 8, 20
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := s.inPollWrite(t.Context(), insertSource(fmt.Sprintf("s%d-%d", w, i))); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if got := len(sourceNames(t, s)); got != writers*each {
		t.Errorf("%d sources written; want %d", got, writers*each)
	}
	if tx := s.txCount.Load() - tx0; tx >= writers*each {
		t.Errorf("%d transactions for %d concurrent poll writes; want them shared", tx, writers*each)
	} else {
		t.Logf("%d writes in %d transactions", writers*each, tx)
	}
}

// A write interrupted by its own context mid-statement (a closure that
// used a context other than the one it is given) makes SQLite roll back
// the whole shared transaction. Whatever the driver does, every caller must
// hear what happened to its own write: nil only if its row was committed.
func TestInterruptedWriteInBatch(t *testing.T) {
	s, _ := openTemp(t)
	release := holdWriter(t, s)
	outer, cancel := context.WithCancel(t.Context())
	defer cancel()
	long := func(_ context.Context, tx *sql.Tx) error {
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err := tx.ExecContext(outer, `
			WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000)
			INSERT INTO sources (name, url) SELECT 'long' || x, 'https://long.example/' || x FROM c`)
		return err
	}
	errs := runBatch(t, s, release, insertSource("a"), long, insertSource("c"))

	if errs[1] == nil {
		t.Errorf("interrupted write: no error")
	}
	names := sourceNames(t, s)
	for i, name := range []string{"a", "", "c"} {
		if name == "" {
			continue
		}
		kept := slices.Contains(names, name)
		if kept != (errs[i] == nil) {
			t.Errorf("write %q: err %v, row committed %v; want nil exactly when committed", name, errs[i], kept)
		}
	}
	if len(names) > 2 {
		t.Errorf("%d rows committed; the interrupted write's must not be", len(names))
	}
	// The others' contexts were never cancelled: an error that says so
	// would read as "shutting down" to a caller that checks (the poller
	// calls such a failure "cancelled (shutting down)").
	for _, i := range []int{0, 2} {
		if errors.Is(errs[i], context.Canceled) {
			t.Errorf("write %d, its context live, failed with an error that is context.Canceled: %v", i, errs[i])
		}
	}
	t.Logf("errs %v; committed %v", errs, names)
}

// A transaction whose COMMIT fails (here a deferred foreign key check)
// is not committed, its callers hear so, and later writes still work:
// SQLite leaves such a transaction open, and the writer must not carry it
// into the next one.
func TestWritesAfterFailedCommit(t *testing.T) {
	s, _ := openTemp(t)
	err := s.inWrite(t.Context(), func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
			return err
		}
		if err := insertSource("orphaned")(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO items (source, key, fetched, state) VALUES ('no such source', 'k', '2026-01-01T00:00:00.000000000Z', 'seen')`)
		return err
	})
	if err == nil {
		t.Fatal("write breaking a deferred foreign key: no error")
	}
	if err := s.inWrite(t.Context(), insertSource("after")); err != nil {
		t.Errorf("write after a failed commit: %v", err)
	}
	if got, want := sourceNames(t, s), []string{"after"}; !slices.Equal(got, want) {
		t.Errorf("sources = %v; want %v", got, want)
	}
}

// A write that fills the disk (SQLITE_FULL, here from max_page_count)
// inside a shared transaction: each caller hears nil only if its own row
// was committed, and the writer carries on.
func TestFullDiskWriteInBatch(t *testing.T) {
	s, _ := openTemp(t)
	setMaxPages := func(n string) func(context.Context, *sql.Tx) error {
		return func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `PRAGMA max_page_count = `+n)
			return err
		}
	}
	var pages int
	if err := s.read.QueryRowContext(t.Context(), `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if err := s.inWrite(t.Context(), setMaxPages(fmt.Sprint(pages+20))); err != nil {
		t.Fatal(err)
	}
	big := func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000)
			INSERT INTO sources (name, url) SELECT 'big' || x, printf('https://%.500c.example/', 'x') || x FROM c`)
		return err
	}
	release := holdWriter(t, s)
	errs := runBatch(t, s, release, insertSource("a"), big, insertSource("c"))
	t.Logf("errs %v", errs)
	if errs[1] == nil {
		t.Fatal("write past max_page_count: no error")
	}
	names := sourceNames(t, s)
	for i, name := range []string{"a", "", "c"} {
		if name == "" {
			continue
		}
		if kept := slices.Contains(names, name); kept != (errs[i] == nil) {
			t.Errorf("write %q: err %v, row committed %v; want nil exactly when committed", name, errs[i], kept)
		}
	}
	if len(names) > 2 {
		t.Errorf("%d rows committed; the failed write's must not be", len(names))
	}
	if err := s.inWrite(t.Context(), setMaxPages("1073741823")); err != nil {
		t.Fatal(err)
	}
	if err := s.inWrite(t.Context(), insertSource("after")); err != nil {
		t.Errorf("write after the full-disk batch: %v", err)
	}
}

// A poll write whose caller has little time left does not wait for
// company: a lone lease renewal bounded by TTL/6 (50 ms at a 300 ms TTL)
// would otherwise time out in the wait.
//
// Waiting would always miss the deadline; a write that does not wait
// meets it unless the machine stalls, so one try in three must succeed.
func TestPollWriteWithTightDeadlineDoesNotWait(t *testing.T) {
	deadline := writeLinger * 4 / 5
	var errs []error
	for range 3 {
		s, _ := openTemp(t) // fresh: poll writes wait (no lonely pause yet)
		ctx, cancel := context.WithTimeout(t.Context(), deadline)
		now := time.Now()
		_, _, err := s.Lease(ctx, "pipeline", "a", now, now.Add(time.Minute))
		cancel()
		if err == nil {
			return
		}
		errs = append(errs, err)
	}
	t.Errorf("lone lease with a %v deadline failed every time: %v", deadline, errs)
}

// Close waits for the writes already queued, which commit, and a write
// made after Close began is refused, not left waiting for a stopped writer.
func TestCloseWithWritesQueued(t *testing.T) {
	s, path := openTemp(t)
	release := holdWriter(t, s)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { errs[i] = s.inPollWrite(t.Context(), insertSource(fmt.Sprint("q", i))) })
		waitQueued(t, s, i+1)
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	// Close now waits for the writes inside; a later caller waits behind
	// Close and is then refused.
	for s.mu.TryRLock() { // fails once Close waits for the lock
		s.mu.RUnlock()
		time.Sleep(time.Millisecond)
	}
	late := make(chan error, 1)
	go func() { late <- s.inWrite(t.Context(), insertSource("late")) }()
	release()
	wg.Wait()
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if err := <-late; !errors.Is(err, errClosed) {
		t.Errorf("write after Close: %v; want errClosed", err)
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("queued write %d: %v", i, err)
		}
	}
	s = reopen(t, path)
	if got, want := sourceNames(t, s), []string{"q0", "q1", "q2"}; !slices.Equal(got, want) {
		t.Errorf("sources after reopening = %v; want %v", got, want)
	}
}

// A write made inside another fails at once, and the outer one goes on:
// waiting would hang the writer for good.
func TestNestedWriteFails(t *testing.T) {
	s, _ := openTemp(t)
	var inner error
	err := s.inWrite(t.Context(), func(ctx context.Context, tx *sql.Tx) error {
		inner = s.inWrite(ctx, insertSource("inner"))
		return insertSource("outer")(ctx, tx)
	})
	if err != nil {
		t.Fatalf("outer write: %v", err)
	}
	if inner == nil || !strings.Contains(inner.Error(), "inside another write") {
		t.Errorf("inner write: %v; want an error saying writes cannot nest", inner)
	}
	if got, want := sourceNames(t, s), []string{"outer"}; !slices.Equal(got, want) {
		t.Errorf("sources = %v; want %v", got, want)
	}
}
