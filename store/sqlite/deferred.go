package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/internal/storeutil"
)

// A 304 changes nothing but a source's poll times (and, rarely, its
// validators and schedule), yet recording it took a write transaction of
// its own: at 10,000 sources most polls are 304s and the transactions
// were most of the poller's CPU. So a not-modified poll of a source this
// handle knows is deferred: it is written at the start of the next write
// transaction, whatever that is (the poller's next lease claim, usually
// within a second), or by a flush at most deferFlush later, and by Close.
// Every write applies the deferred ones first, so writes keep their order;
// Source and Sources overlay them, so this handle reads its own writes.
// Another process sees them up to deferFlush late; a crash loses at most
// that much of poll times and lease keeps, which the next poll rewrites.
const deferFlush = time.Second

// deferred holds the not-modified polls not yet written, by source.
type deferred struct {
	mu      sync.Mutex
	polls   map[string]store.Poll
	known   map[string]bool // sources that exist: registered or recorded here
	stop    chan struct{}
	stopped chan struct{}
}

func (d *deferred) init() {
	d.polls, d.known = map[string]store.Poll{}, map[string]bool{}
	d.stop, d.stopped = make(chan struct{}), make(chan struct{})
}

func (d *deferred) know(source string) {
	d.mu.Lock()
	d.known[source] = true
	d.mu.Unlock()
}

// add defers p if source is known, returning false when it is not.
func (d *deferred) add(source string, p store.Poll) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.known[source] {
		return false
	}
	if old, ok := d.polls[source]; ok {
		// A later 304 on top of one not yet written: validators and
		// schedule a 304 leaves empty keep the earlier poll's.
		if p.ETag == "" {
			p.ETag = old.ETag
		}
		if p.LastModified == "" {
			p.LastModified = old.LastModified
		}
		if p.Interval == 0 {
			p.Interval, p.IntervalReason = old.Interval, old.IntervalReason
		}
	}
	d.polls[source] = p
	return true
}

// take empties the deferred polls, returning them.
func (d *deferred) take() map[string]store.Poll {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.polls) == 0 {
		return nil
	}
	polls := d.polls
	d.polls = map[string]store.Poll{}
	return polls
}

// putBack returns polls whose write failed, under any deferred since.
func (d *deferred) putBack(polls map[string]store.Poll) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for src, p := range polls {
		if _, newer := d.polls[src]; !newer {
			d.polls[src] = p
		}
	}
}

// overlay applies source's deferred poll, if any, to what was read.
func (d *deferred) overlay(st *store.SourceState) {
	d.mu.Lock()
	p, ok := d.polls[st.Name]
	d.mu.Unlock()
	if !ok {
		return
	}
	if p.ETag != "" {
		st.ETag = p.ETag
	}
	if p.LastModified != "" {
		st.LastModified = p.LastModified
	}
	st.Primed = true
	st.LastPoll, st.LastSuccess = p.At, p.At
	st.Failures = 0
	if interval, reason := storeutil.PollSchedule(p); interval != nil {
		st.PollInterval, st.PollReason = time.Duration(interval.(int64)), reason.(string)
	}
}

// writePolls records not-modified polls in tx, as RecordPoll would.
func (s *Store) writePolls(ctx context.Context, tx *sql.Tx, polls map[string]store.Poll) error {
	update, err := s.stmt(ctx, tx, sqlUpdatePolled)
	if err != nil {
		return fmt.Errorf("sqlite: record deferred polls: %w", err)
	}
	for source, p := range polls {
		pollAt, err := timeArg(p.At)
		if err != nil {
			return fmt.Errorf("sqlite: record deferred poll of %q: %w", source, err)
		}
		var etag, lastModified any
		if p.ETag != "" {
			etag = p.ETag
		}
		if p.LastModified != "" {
			lastModified = p.LastModified
		}
		interval, reason := storeutil.PollSchedule(p)
		if _, err := update.ExecContext(ctx, etag, lastModified, pollAt, pollAt, 0, nil, interval, reason, source); err != nil {
			return fmt.Errorf("sqlite: record deferred poll of %q: %w", source, err)
		}
		if p.Keep.Name != "" {
			if _, _, err := s.leaseTx(ctx, tx, p.Keep.Name, p.Keep.Owner, p.At, p.Keep.Until); err != nil {
				return fmt.Errorf("sqlite: record deferred poll of %q: %w", source, err)
			}
		}
	}
	return nil
}

// flushLoop writes deferred polls that no other write has taken within
// deferFlush, until Close.
func (s *Store) flushLoop() {
	defer close(s.deferred.stopped)
	t := time.NewTicker(deferFlush)
	defer t.Stop()
	for {
		select {
		case <-s.deferred.stop:
			return
		case <-t.C:
		}
		if err := s.flush(context.Background()); err != nil {
			s.log.Warn("writing deferred not-modified polls failed; will retry", "err", err)
		}
	}
}

func (d *deferred) len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.polls)
}

// flush writes the deferred polls now.
func (s *Store) flush(ctx context.Context) error {
	if s.deferred.len() == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, storeFlushTimeout)
	defer cancel()
	return s.inWrite(ctx, func(*sql.Tx) error { return nil })
}

// storeFlushTimeout bounds a flush of deferred polls.
const storeFlushTimeout = 15 * time.Second
