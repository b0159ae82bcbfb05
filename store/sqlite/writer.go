package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// Group commit. Every write runs on the writer's one connection, one
// transaction at a time, so a write's fixed cost (BEGIN's locks, COMMIT's
// WAL frames and lock release) is paid per transaction, not per statement.
// At thousands of sources that cost was most of the process's CPU: a poll
// writes twice (its lease claim, then its record), and a claim or a
// not-modified record is one small statement. So writes go through one
// goroutine, which runs the writes that are waiting when it is free in one
// transaction, each in its own savepoint so that one write's error undoes
// only its own changes. A poll's writes (writeMayWait) may also wait up to
// writeLinger for company, but only while waiting pays: after a wait that
// found none, none waits for lonelyPause, so a lone caller making many
// writes in a row waits once a second at most. Other writes (deliveries,
// commands) never wait: they run at once, taking along any poll writes
// already waiting.
//
// A write's caller returns when its transaction has committed or failed,
// so a returned nil still means durable; a write that has started runs to
// the end even if its caller's context is cancelled (an interrupted
// statement inside a transaction would roll back the other callers'
// writes too), and a write still waiting when its context ends is dropped.
const (
	// writeLinger is how long a poll write may wait for others to share
	// its transaction. Waiting costs a timer and a wake-up, about as much
	// CPU as a small transaction on this kind of machine, so it must be
	// long enough to gather several: at 10,000 feeds polled every 2
	// minutes (about 170 writes a second) 8–9 share one. A poll is two
	// writes, so it is at most 0.1 s later, nothing beside its fetch.
	// (BenchmarkPollWrites: 10 ms gathered under 2 writes a transaction
	// and cost more CPU than it saved.)
	writeLinger = 50 * time.Millisecond
	// lonelyPause is how long poll writes go without waiting after a
	// wait that gathered nothing.
	lonelyPause = time.Second
	// tightDeadline: a poll write whose caller must hear back sooner
	// than this does not wait for company.
	tightDeadline = 4 * writeLinger
	// maxWriteBatch bounds a transaction, so its savepoints and held lock
	// stay short however far writes have fallen behind.
	maxWriteBatch = 64
)

// writeMode says whether a write may wait for company (see writeLinger).
type writeMode bool

const (
	writeNow     writeMode = false
	writeMayWait writeMode = true
)

// A write request's states: the writer takes a queued request, or its
// caller abandons it when its context ends first; never both.
const (
	reqQueued int32 = iota
	reqTaken
	reqAbandoned
)

type writeReq struct {
	ctx   context.Context
	fn    func(ctx context.Context, tx *sql.Tx) error
	mode  writeMode
	state atomic.Int32
	done  chan writeResult // buffered: the writer never blocks on it
}

type writeResult struct {
	err   error
	panic any // fn panicked: re-raised in the caller's goroutine
}

// startWriter starts the goroutine that runs every write; stopWriter
// (Close) ends it.
func (s *Store) startWriter() {
	// A store's first writes are usually a lone caller's (a command, the
	// migrations, a test): no wait for company until a second has passed.
	s.lonelyUntil = time.Now().Add(lonelyPause)
	s.writes = make(chan *writeReq, maxWriteBatch)
	s.stopWrites = make(chan struct{})
	s.writerDone = make(chan struct{})
	go s.writer()
}

func (s *Store) stopWriter() {
	if s.writes == nil {
		return
	}
	close(s.stopWrites)
	<-s.writerDone
}

// inWrite runs fn in a write transaction, which may be shared with other
// callers' writes (see Group commit). fn's changes commit if it returns nil
// and are undone if it returns an error; fn must not keep tx. The ctx fn
// gets carries ctx's values but not its cancellation.
func (s *Store) inWrite(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	return s.write1(ctx, writeNow, fn)
}

// inPollWrite is inWrite for a poll's writes, which may wait writeLinger
// for other writes to share the transaction.
func (s *Store) inPollWrite(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	return s.write1(ctx, writeMayWait, fn)
}

func (s *Store) write1(ctx context.Context, mode writeMode, fn func(ctx context.Context, tx *sql.Tx) error) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	if ctx.Value(inWriteKey{}) != nil {
		// It would wait for the writer, which waits for this write's
		// caller: a hang no context could end.
		return errors.New("sqlite: a write was started inside another write: the store cannot nest writes; make it part of the outer one")
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlite: begin write: %w", err)
	}
	if d, ok := ctx.Deadline(); ok && mode == writeMayWait && time.Until(d) < tightDeadline {
		// Waiting for company could use up the caller's time (a lease
		// renewal bounded by a sixth of a short TTL).
		mode = writeNow
	}
	r := &writeReq{ctx: ctx, fn: fn, mode: mode, done: make(chan writeResult, 1)}
	select {
	case s.writes <- r:
	case <-ctx.Done():
		return fmt.Errorf("sqlite: begin write: %w", ctx.Err())
	}
	var res writeResult
	select {
	case res = <-r.done:
	case <-ctx.Done():
		if r.state.CompareAndSwap(reqQueued, reqAbandoned) {
			return fmt.Errorf("sqlite: begin write: %w", ctx.Err())
		}
		res = <-r.done // under way: its outcome is what happened
	}
	if res.panic != nil {
		panic(res.panic)
	}
	return res.err
}

// writer runs the queued writes until stopWriter. Close stops it only
// once no caller is inside the store, so nothing is left queued.
func (s *Store) writer() {
	defer close(s.writerDone)
	batch := make([]*writeReq, 0, maxWriteBatch)
	for {
		select {
		case r := <-s.writes:
			batch = s.gather(append(batch[:0], r))
			s.runBatch(batch)
			clear(batch) // let finished requests' closures go
		case <-s.stopWrites:
			return
		}
	}
}

// gather adds the writes waiting behind batch's first, and while every
// write in it may wait (see lonelyPause), those that arrive within
// writeLinger.
func (s *Store) gather(batch []*writeReq) []*writeReq {
	limit := maxWriteBatch
	if s.groupLimit > 0 {
		limit = s.groupLimit
	}
	wait := batch[0].mode == writeMayWait && time.Now().After(s.lonelyUntil)
	var deadline <-chan time.Time
	for len(batch) < limit {
		var r *writeReq
		select {
		case r = <-s.writes:
		default:
			if !wait {
				return batch
			}
			if deadline == nil {
				t := time.NewTimer(writeLinger)
				defer t.Stop()
				deadline = t.C
			}
			select {
			case r = <-s.writes:
			case <-deadline:
				if len(batch) == 1 {
					s.lonelyUntil = time.Now().Add(lonelyPause)
				}
				return batch
			}
		}
		batch = append(batch, r)
		wait = wait && r.mode == writeMayWait
	}
	return batch
}

// runBatch runs the batch's writes that are still wanted in one
// transaction and tells each caller its outcome.
func (s *Store) runBatch(batch []*writeReq) {
	live := batch[:0]
	for _, r := range batch {
		if r.state.CompareAndSwap(reqQueued, reqTaken) {
			live = append(live, r)
		}
	}
	if len(live) == 0 {
		return
	}
	results := make([]writeResult, len(live))
	if err := s.runTx(live, results); err != nil {
		// The transaction is gone, and with it every write in it.
		for i := range results {
			if results[i].err == nil && results[i].panic == nil {
				results[i].err = err
			}
		}
	}
	for i, r := range live {
		r.done <- results[i]
	}
}

// runTx runs live's writes in one transaction, recording each one's own
// failure in results; it returns an error when the transaction as a whole
// failed, so that none of them committed.
func (s *Store) runTx(live []*writeReq, results []writeResult) error {
	tx, err := s.write.BeginTx(context.Background(), nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin write: %w", err)
	}
	defer tx.Rollback() // no-op after Commit
	if len(live) == 1 {
		// Alone: no savepoint; its failure is the transaction's.
		results[0] = call(live[0], tx)
		if results[0].err != nil || results[0].panic != nil {
			return nil // rolled back by the deferred Rollback
		}
	} else {
		for i, r := range live {
			if err := s.execTx(tx, sqlSavepoint); err != nil {
				return fmt.Errorf("sqlite: write batch: savepoint: %w", err)
			}
			results[i] = call(r, tx)
			if results[i].err != nil || results[i].panic != nil {
				if err := s.execTx(tx, sqlRollbackTo); err != nil {
					// SQLite rolled the whole transaction back (an
					// I/O error, an interrupt): the others are lost
					// too. Their error names the cause but does not
					// wrap it: another caller's context.Canceled or
					// ErrNotFound is not theirs.
					cause := results[i].err
					if cause == nil {
						cause = fmt.Errorf("panic: %v", results[i].panic)
					}
					return fmt.Errorf("sqlite: another write in the same transaction failed (%v) and rolled it back: %w",
						cause, err)
				}
			}
			if err := s.execTx(tx, sqlRelease); err != nil {
				return fmt.Errorf("sqlite: write batch: release savepoint: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	s.txCount.Add(1)
	return nil
}

// The savepoint statements, prepared once with the poll statements since
// every shared write runs two of them (SQLite compiles unprepared SQL on
// each use).
const (
	sqlSavepoint  = `SAVEPOINT w`
	sqlRollbackTo = `ROLLBACK TO w`
	sqlRelease    = `RELEASE w`
)

func (s *Store) execTx(tx *sql.Tx, query string) error {
	st, err := s.stmt(context.Background(), tx, query)
	if err != nil {
		return err
	}
	_, err = st.Exec()
	return err
}

// inWriteKey marks the context a write runs with, so that a write made
// inside it fails at once instead of hanging (see write1).
type inWriteKey struct{}

// call runs r's write, catching a panic to re-raise in its caller.
func call(r *writeReq, tx *sql.Tx) (res writeResult) {
	defer func() {
		if p := recover(); p != nil {
			res = writeResult{panic: p}
		}
	}()
	ctx := context.WithValue(context.WithoutCancel(r.ctx), inWriteKey{}, true)
	return writeResult{err: r.fn(ctx, tx)}
}
