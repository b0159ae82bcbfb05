package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/internal/storeutil"
	"github.com/briefbot/briefbot/story"
)

// EnsureSource implements store.Store.
func (s *Store) EnsureSource(ctx context.Context, name, url string) error {
	if name == "" || url == "" {
		return fmt.Errorf("sqlite: ensure source %q: name and URL must both be set", name)
	}
	return s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// A new URL is a new feed: old validators would be sent to the
		// wrong server and its backlog must not flood, so start over.
		_, err := tx.ExecContext(ctx, `
			INSERT INTO sources (name, url) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET
			    url           = excluded.url,
			    etag          = '',
			    last_modified = '',
			    primed        = 0,
			    failures      = 0
			WHERE url <> excluded.url`, name, url)
		if err != nil {
			return fmt.Errorf("sqlite: ensure source %q: %w", name, err)
		}
		return nil
	})
}

const sourceColumns = `name, url, etag, last_modified, primed, last_poll, last_success,
	last_error_at, last_error, failures, items_seen, last_item_lag, warning, warning_at, poll_interval, poll_reason`

func scanSource(sc interface{ Scan(...any) error }) (store.SourceState, error) {
	var (
		st                     store.SourceState
		poll, success, errorAt sql.NullString
		warnAt                 sql.NullString
		lag, interval          int64
	)
	err := sc.Scan(&st.Name, &st.URL, &st.ETag, &st.LastModified, &st.Primed, &poll, &success,
		&errorAt, &st.LastError, &st.Failures, &st.ItemsSeen, &lag, &st.Warning, &warnAt, &interval, &st.PollReason)
	if err != nil {
		return st, err
	}
	st.LastItemLag, st.PollInterval = time.Duration(lag), time.Duration(interval)
	if st.LastPoll, err = parseTime(poll); err != nil {
		return st, err
	}
	if st.LastSuccess, err = parseTime(success); err != nil {
		return st, err
	}
	if st.WarningAt, err = parseTime(warnAt); err != nil {
		return st, err
	}
	st.LastErrorAt, err = parseTime(errorAt)
	return st, err
}

// sqlReadSource is the read every poll makes first; Open prepares it.
const sqlReadSource = `SELECT ` + sourceColumns + ` FROM sources WHERE name = ?`

// Source implements store.Store.
func (s *Store) Source(ctx context.Context, name string) (store.SourceState, error) {
	if err := s.enter(); err != nil {
		return store.SourceState{}, err
	}
	defer s.mu.RUnlock()
	var row *sql.Row
	if s.readSource != nil {
		row = s.readSource.QueryRowContext(ctx, name)
	} else {
		row = s.read.QueryRowContext(ctx, sqlReadSource, name)
	}
	st, err := scanSource(row)
	if errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("source %q: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return st, fmt.Errorf("sqlite: read source %q: %w", name, err)
	}
	return st, nil
}

// Sources implements store.Store.
func (s *Store) Sources(ctx context.Context) ([]store.SourceState, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	rows, err := s.read.QueryContext(ctx, `SELECT `+sourceColumns+` FROM sources ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list sources: %w", err)
	}
	defer rows.Close()
	var all []store.SourceState
	for rows.Next() {
		st, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list sources: %w", err)
		}
		all = append(all, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list sources: %w", err)
	}
	return all, nil
}

// The statements every poll runs; Open prepares them once (see stmt).
const (
	sqlSourceExists = `SELECT 1 FROM sources WHERE name = ?`

	// The keys go in as one JSON array, so one statement serves any feed
	// size without building placeholders; each key is an index lookup.
	sqlKnownKeys = `
		SELECT key FROM items
		WHERE source = ?1 AND key IN (SELECT value FROM json_each(?2))`

	// No conflict target: DO NOTHING then covers both identities, (source,
	// key) and (source, link), including duplicates earlier in the same
	// poll. RETURNING yields no row for a skipped item.
	sqlInsertItem = `
		INSERT INTO items (source, key, guid, link, title, description, content,
		                   author, language, published, fetched, state)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING
		RETURNING id`

	// NULL arguments mean "keep what is stored".
	sqlUpdatePolled = `
		UPDATE sources SET
		    etag          = coalesce(?, etag),
		    last_modified = coalesce(?, last_modified),
		    primed        = 1,
		    last_poll     = ?,
		    last_success  = ?,
		    failures      = 0,
		    items_seen    = items_seen + ?,
		    last_item_lag = coalesce(?, last_item_lag),
		    poll_interval = coalesce(?, poll_interval),
		    poll_reason   = coalesce(?, poll_reason)
		WHERE name = ?`
)

// RecordPoll implements store.Store.
func (s *Store) RecordPoll(ctx context.Context, source string, p store.Poll) ([]story.Item, error) {
	if p.At.IsZero() {
		return nil, fmt.Errorf("sqlite: record poll of %q: Poll.At is zero", source)
	}
	if p.NotModified && len(p.Items) > 0 {
		return nil, fmt.Errorf("sqlite: record poll of %q: a not-modified poll carries %d items; it must carry none", source, len(p.Items))
	}
	pollAt, err := timeArg(p.At)
	if err != nil {
		return nil, fmt.Errorf("sqlite: record poll of %q: %w", source, err)
	}
	rows, err := itemRows(source, p)
	if err != nil {
		return nil, fmt.Errorf("sqlite: record poll of %q: %w", source, err)
	}
	if p.Keep.Name != "" {
		if err := storeutil.CheckLease(p.Keep.Name, p.Keep.Owner, p.At, p.Keep.Until); err != nil {
			return nil, fmt.Errorf("sqlite: record poll of %q: %w", source, err)
		}
	}

	var pending, seen []story.Item
	err = s.inPollWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		pending, seen = nil, nil
		exists, err := s.stmt(ctx, tx, sqlSourceExists)
		if err != nil {
			return fmt.Errorf("sqlite: record poll of %q: %w", source, err)
		}
		var one int
		err = exists.QueryRowContext(ctx, source).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("record poll: source %q: %w", source, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("sqlite: record poll of %q: %w", source, err)
		}

		if len(rows) > 0 {
			if pending, seen, err = s.insertItems(ctx, tx, source, rows, p.MaxPending); err != nil {
				return err
			}
		}

		// nil arguments keep what is stored (see sqlUpdatePolled).
		var etag, lastModified any = p.ETag, p.LastModified
		if p.NotModified && p.ETag == "" {
			etag = nil
		}
		if p.NotModified && p.LastModified == "" {
			lastModified = nil
		}
		var lag any
		if d, ok := storeutil.NewestLag(pending); ok {
			lag = int64(d)
		}
		update, err := s.stmt(ctx, tx, sqlUpdatePolled)
		if err != nil {
			return fmt.Errorf("sqlite: record poll of %q: %w", source, err)
		}
		interval, reason := storeutil.PollSchedule(p)
		_, err = update.ExecContext(ctx, etag, lastModified, pollAt, pollAt, len(pending)+len(seen), lag, interval, reason, source)
		if err != nil {
			return fmt.Errorf("sqlite: record poll of %q: update source: %w", source, err)
		}
		if p.Keep.Name != "" {
			if _, _, err := s.leaseTx(ctx, tx, p.Keep.Name, p.Keep.Owner, p.At, p.Keep.Until); err != nil {
				return fmt.Errorf("sqlite: record poll of %q: %w", source, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return append(pending, seen...), nil
}

// itemRow is an item checked and ready to insert.
type itemRow struct {
	item               story.Item // Source and Fetched filled in
	pending            bool
	published, fetched any // column values
}

// itemRows checks every item before anything is written, so one bad item
// fails the poll whether or not the others are already known.
func itemRows(source string, p store.Poll) ([]itemRow, error) {
	rows := make([]itemRow, len(p.Items))
	for i, ni := range p.Items {
		it := ni.Item
		switch {
		case it.Source == "":
			it.Source = source
		case it.Source != source:
			return nil, fmt.Errorf("item %d (%q) belongs to source %q", i, it.Key, it.Source)
		}
		if it.Key == "" {
			return nil, fmt.Errorf("item %d (%q) has an empty key; normalisation must give every item one", i, it.Link)
		}
		if it.Fetched.IsZero() {
			it.Fetched = p.At
		}
		// Return what a later read gives: UTC, no monotonic clock reading.
		it.Published, it.Fetched = storeutil.UTC(it.Published), it.Fetched.UTC()
		r := itemRow{item: it, pending: ni.Pending}
		var err error
		if r.published, err = timeArg(it.Published); err != nil {
			return nil, fmt.Errorf("item %q published: %w", it.Key, err)
		}
		if r.fetched, err = timeArg(it.Fetched); err != nil {
			return nil, fmt.Errorf("item %q fetched: %w", it.Key, err)
		}
		rows[i] = r
	}
	return rows, nil
}

// insertItems inserts the rows that are new and returns them with their
// IDs, split by state, each in input order.
func (s *Store) insertItems(ctx context.Context, tx *sql.Tx, source string, rows []itemRow, maxPending int) (pending, seen []story.Item, err error) {
	stmt, err := s.stmt(ctx, tx, sqlInsertItem)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: record poll of %q: %w", source, err)
	}
	known, err := s.knownKeys(ctx, tx, source, rows)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: record poll of %q: look up known items: %w", source, err)
	}
	for _, r := range rows {
		it := r.item
		if known[it.Key] {
			continue // most of a feed is already known
		}
		isPending := r.pending && (maxPending <= 0 || len(pending) < maxPending)
		state := store.ItemSeen
		if isPending {
			state = store.ItemPending
		}
		err = stmt.QueryRowContext(ctx, it.Source, it.Key, it.GUID, it.Link, it.Title, it.Description,
			it.Content, it.Author, it.Language, r.published, r.fetched, string(state)).Scan(&it.ID)
		if errors.Is(err, sql.ErrNoRows) {
			continue // known link, or a duplicate earlier in this poll
		}
		if err != nil {
			return nil, nil, fmt.Errorf("sqlite: record poll of %q: insert item %q: %w", source, it.Key, err)
		}
		if isPending {
			pending = append(pending, it)
		} else {
			seen = append(seen, it)
		}
	}
	return pending, seen, nil
}

// SetSourceWarning implements store.Store.
func (s *Store) SetSourceWarning(ctx context.Context, source, warning string, at time.Time) error {
	var atArg any
	if warning != "" {
		var err error
		if atArg, err = timeArg(at); err != nil {
			return fmt.Errorf("sqlite: set warning of %q: %w", source, err)
		}
	}
	return s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sources SET warning = ?, warning_at = ? WHERE name = ?`, warning, atArg, source)
		if err != nil {
			return fmt.Errorf("sqlite: set warning of %q: %w", source, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("set warning: source %q: %w", source, store.ErrNotFound)
		}
		return nil
	})
}

// knownKeys returns which of items' keys source already has. It only saves
// work: a steady-state poll repeats almost the whole feed, and one indexed
// lookup per key is far cheaper than an INSERT attempt per item. Links are
// left to the INSERT's conflict check, since a known link under a new key
// is rare.
func (s *Store) knownKeys(ctx context.Context, tx *sql.Tx, source string, items []itemRow) (map[string]bool, error) {
	keys := make([]string, len(items))
	for i, r := range items {
		keys[i] = r.item.Key
	}
	list, err := json.Marshal(keys)
	if err != nil {
		return nil, err
	}
	known, err := s.stmt(ctx, tx, sqlKnownKeys)
	if err != nil {
		return nil, err
	}
	rows, err := known.QueryContext(ctx, source, string(list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		found[k] = true
	}
	return found, rows.Err()
}

// RecordFailure implements store.Store.
func (s *Store) RecordFailure(ctx context.Context, source string, at time.Time, reason string) (int, error) {
	if at.IsZero() {
		return 0, fmt.Errorf("sqlite: record failure of %q: time is zero", source)
	}
	atArg, err := timeArg(at)
	if err != nil {
		return 0, fmt.Errorf("sqlite: record failure of %q: %w", source, err)
	}
	var failures int
	err = s.inPollWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `
			UPDATE sources SET
			    failures      = failures + 1,
			    last_poll     = ?,
			    last_error_at = ?,
			    last_error    = ?
			WHERE name = ?
			RETURNING failures`, atArg, atArg, reason, source).Scan(&failures)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("record failure: source %q: %w", source, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("sqlite: record failure of %q: %w", source, err)
		}
		return nil
	})
	return failures, err
}
