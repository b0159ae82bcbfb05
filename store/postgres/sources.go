package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/internal/storeutil"
	"github.com/briefbot/briefbot/story"
)

// EnsureSource implements store.Store.
func (s *Store) EnsureSource(ctx context.Context, name, url string) error {
	if name == "" || url == "" {
		return fmt.Errorf("postgres: ensure source %q: name and URL must both be set", name)
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	// A new URL is a new feed: old validators would be sent to the wrong
	// server and its backlog must not flood, so start over.
	_, err := s.pool.Exec(ctx, `
		INSERT INTO sources (name, url) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET
		    url           = excluded.url,
		    etag          = '',
		    last_modified = '',
		    primed        = false,
		    failures      = 0
		WHERE sources.url <> excluded.url`, clean(name), clean(url))
	if err != nil {
		return fmt.Errorf("postgres: ensure source %q: %w", name, err)
	}
	return nil
}

const sourceColumns = `name, url, etag, last_modified, primed, last_poll, last_success,
	last_error_at, last_error, failures, items_seen, last_item_lag, warning, warning_at, poll_interval, poll_reason`

func scanSource(row pgx.Row) (store.SourceState, error) {
	var (
		st                     store.SourceState
		poll, success, errorAt pgtype.Timestamptz
		warnAt                 pgtype.Timestamptz
		lag, interval          int64
	)
	err := row.Scan(&st.Name, &st.URL, &st.ETag, &st.LastModified, &st.Primed, &poll, &success,
		&errorAt, &st.LastError, &st.Failures, &st.ItemsSeen, &lag, &st.Warning, &warnAt, &interval, &st.PollReason)
	if err != nil {
		return st, err
	}
	st.WarningAt = fromTS(warnAt)
	st.LastItemLag, st.PollInterval = time.Duration(lag), time.Duration(interval)
	st.LastPoll, st.LastSuccess, st.LastErrorAt = fromTS(poll), fromTS(success), fromTS(errorAt)
	return st, nil
}

// Source implements store.Store.
func (s *Store) Source(ctx context.Context, name string) (store.SourceState, error) {
	if err := s.enter(); err != nil {
		return store.SourceState{}, err
	}
	defer s.mu.RUnlock()
	st, err := scanSource(s.pool.QueryRow(ctx, `SELECT `+sourceColumns+` FROM sources WHERE name = $1`, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return st, fmt.Errorf("source %q: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return st, fmt.Errorf("postgres: read source %q: %w", name, err)
	}
	return st, nil
}

// Sources implements store.Store.
func (s *Store) Sources(ctx context.Context) ([]store.SourceState, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	rows, err := s.pool.Query(ctx, `SELECT `+sourceColumns+` FROM sources ORDER BY name COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list sources: %w", err)
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.SourceState, error) { return scanSource(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: list sources: %w", err)
	}
	return all, nil
}

// insertItemsSQL inserts a poll's new items in one statement: they arrive
// as parallel arrays, in input order (ORDER BY ord, so IDs follow it and the
// first of two duplicates wins). ON CONFLICT DO NOTHING, with no target,
// covers both identities, (source, key) and (source, link), including
// duplicates within the poll and a concurrent poll's rows; NOT EXISTS
// spares an identity value for a key already known.
const insertItemsSQL = `
	INSERT INTO items (source, key, guid, link, title, description, content,
	                   author, language, published, fetched, state)
	SELECT $1::text, u.key, u.guid, u.link, u.title, u.description, u.content,
	       u.author, u.language, u.published, u.fetched,
	       CASE WHEN u.pending THEN 'pending' ELSE 'seen' END
	FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
	            $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[], $12::boolean[])
	     WITH ORDINALITY AS u(key, guid, link, title, description, content,
	                          author, language, published, fetched, pending, ord)
	WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.source = $1 AND i.key = u.key)
	ORDER BY u.ord
	ON CONFLICT DO NOTHING
	RETURNING id, key`

// RecordPoll implements store.Store.
func (s *Store) RecordPoll(ctx context.Context, source string, p store.Poll) ([]story.Item, error) {
	if p.At.IsZero() {
		return nil, fmt.Errorf("postgres: record poll of %q: Poll.At is zero", source)
	}
	if p.NotModified && len(p.Items) > 0 {
		return nil, fmt.Errorf("postgres: record poll of %q: a not-modified poll carries %d items; it must carry none", source, len(p.Items))
	}
	items, err := itemRows(source, p)
	if err != nil {
		return nil, fmt.Errorf("postgres: record poll of %q: %w", source, err)
	}
	if p.Keep.Name != "" {
		if err := storeutil.CheckLease(p.Keep.Name, p.Keep.Owner, p.At, p.Keep.Until); err != nil {
			return nil, fmt.Errorf("postgres: record poll of %q: %w", source, err)
		}
	}

	var pending, seen []story.Item
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		pending, seen = nil, nil
		fresh, err := lockAndFilter(ctx, tx, source, items)
		if err != nil {
			return err
		}
		if p.MaxPending > 0 {
			fresh = capPending(fresh, p.MaxPending)
		}
		if len(fresh) > 0 {
			if pending, seen, err = insertItems(ctx, tx, source, fresh); err != nil {
				return err
			}
		}

		// NULL arguments keep what is stored.
		var etag, lastModified any = clean(p.ETag), clean(p.LastModified)
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
		interval, reason := storeutil.PollSchedule(p)
		_, err = tx.Exec(ctx, `
			UPDATE sources SET
			    etag          = coalesce($1, etag),
			    last_modified = coalesce($2, last_modified),
			    primed        = true,
			    last_poll     = $3,
			    last_success  = $3,
			    failures      = 0,
			    items_seen    = items_seen + $4,
			    last_item_lag = coalesce($5, last_item_lag),
			    poll_interval = coalesce($7, poll_interval),
			    poll_reason   = coalesce($8, poll_reason)
			WHERE name = $6`, etag, lastModified, ts(p.At), len(pending)+len(seen), lag, source, interval, reason)
		if err != nil {
			return fmt.Errorf("postgres: record poll of %q: update source: %w", source, err)
		}
		if p.Keep.Name != "" {
			if _, _, err := leaseTx(ctx, tx, p.Keep.Name, p.Keep.Owner, p.At, p.Keep.Until); err != nil {
				return fmt.Errorf("postgres: record poll of %q: %w", source, err)
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
	item    story.Item // Source and Fetched filled in, as a later read returns it
	pending bool
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
		// Return what a later read gives: UTC microseconds, clean text.
		it.Published, it.Fetched = micro(it.Published), micro(it.Fetched)
		it.Key, it.GUID, it.Link, it.Title = clean(it.Key), clean(it.GUID), clean(it.Link), clean(it.Title)
		it.Description, it.Content = clean(it.Description), clean(it.Content)
		it.Author, it.Language = clean(it.Author), clean(it.Language)
		rows[i] = itemRow{item: it, pending: ni.Pending}
	}
	return rows, nil
}

// knownKeysSQL finds which of a poll's keys the source already has. A
// steady-state poll repeats almost the whole feed: sending only the keys
// first, then the few new items whole, moves a fraction of the bytes (a
// feed of 50 is ~80 kB of text) and takes a third of the time.
const knownKeysSQL = `SELECT key FROM items WHERE source = $1 AND key = ANY ($2::text[])`

// lockAndFilter starts a poll's transaction in one round trip (a pipelined
// batch) and returns the items whose keys the source does not have yet.
//
// It locks the source's row first: polls of one source (two instances, or
// a poll racing a failure) take turns, and always lock in the same order,
// source before items. The poll need not wait for its WAL to reach disk (as
// store/sqlite's synchronous=NORMAL): a crash can lose only the last polls,
// which the next poll repeats, and anything built on them (a completed
// item) commits synchronously, flushing them first.
func lockAndFilter(ctx context.Context, tx pgx.Tx, source string, items []itemRow) ([]itemRow, error) {
	b := &pgx.Batch{}
	b.Queue(`SET LOCAL synchronous_commit TO off`)
	b.Queue(`SELECT 1 FROM sources WHERE name = $1 FOR NO KEY UPDATE`, source)
	if len(items) > 0 {
		keys := make([]string, len(items))
		for i, r := range items {
			keys[i] = r.item.Key
		}
		b.Queue(knownKeysSQL, source, keys)
	}
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, fmt.Errorf("postgres: record poll of %q: %w", source, err)
	}
	var one int
	err := br.QueryRow().Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("record poll: source %q: %w", source, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: record poll of %q: %w", source, err)
	}
	if len(items) == 0 {
		return nil, br.Close()
	}
	res, err := br.Query()
	if err != nil {
		return nil, fmt.Errorf("postgres: record poll of %q: look up known items: %w", source, err)
	}
	known, err := pgx.CollectRows(res, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: record poll of %q: look up known items: %w", source, err)
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("postgres: record poll of %q: %w", source, err)
	}
	if len(known) == 0 {
		return items, nil
	}
	isKnown := make(map[string]bool, len(known))
	for _, k := range known {
		isKnown[k] = true
	}
	return slices.DeleteFunc(slices.Clone(items), func(r itemRow) bool { return isKnown[r.item.Key] }), nil
}

// insertItems inserts rows (none of whose keys were known a moment ago) and
// returns those inserted with their IDs, split by state, each in input
// order.
func insertItems(ctx context.Context, tx pgx.Tx, source string, rows []itemRow) (pending, seen []story.Item, err error) {
	n := len(rows)
	var (
		guids, links, titles     = make([]string, n), make([]string, n), make([]string, n)
		descs, contents, authors = make([]string, n), make([]string, n), make([]string, n)
		langs                    = make([]string, n)
		published, fetched       = make([]pgtype.Timestamptz, n), make([]pgtype.Timestamptz, n)
		pend                     = make([]bool, n)
	)
	keys := make([]string, n)
	for i, r := range rows {
		it := r.item
		keys[i], guids[i], links[i], titles[i] = it.Key, it.GUID, it.Link, it.Title
		descs[i], contents[i], authors[i], langs[i] = it.Description, it.Content, it.Author, it.Language
		published[i] = pgtype.Timestamptz{Time: it.Published, Valid: !it.Published.IsZero()}
		fetched[i] = pgtype.Timestamptz{Time: it.Fetched, Valid: true}
		pend[i] = r.pending
	}
	res, err := tx.Query(ctx, insertItemsSQL, source, keys, guids, links, titles, descs, contents,
		authors, langs, published, fetched, pend)
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: record poll of %q: insert items: %w", source, err)
	}
	ids := map[string]int64{}
	var (
		id  int64
		key string
	)
	_, err = pgx.ForEachRow(res, []any{&id, &key}, func() error {
		ids[key] = id
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: record poll of %q: insert items: %w", source, err)
	}
	for _, r := range rows {
		it := r.item
		id, ok := ids[it.Key]
		if !ok {
			continue // known, or lost to an earlier duplicate
		}
		delete(ids, it.Key) // a later duplicate of the key was not inserted
		it.ID = id
		if r.pending {
			pending = append(pending, it)
		} else {
			seen = append(seen, it)
		}
	}
	return pending, seen, nil
}

// capPending keeps the first max pending rows pending and makes the rest
// seen. The rows' keys are new, so nearly all will be inserted; one whose
// link is known still takes a place, which errs towards fewer.
func capPending(rows []itemRow, max int) []itemRow {
	n := 0
	for i := range rows {
		if !rows[i].pending {
			continue
		}
		if n >= max {
			if n == max {
				rows = slices.Clone(rows) // the caller's rows stay as given
			}
			rows[i].pending = false
		}
		n++
	}
	return rows
}

// SetSourceWarning implements store.Store.
func (s *Store) SetSourceWarning(ctx context.Context, source, warning string, at time.Time) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	var atArg any
	if warning != "" {
		atArg = ts(at)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE sources SET warning = $1, warning_at = $2 WHERE name = $3`, clean(warning), atArg, source)
	if err != nil {
		return fmt.Errorf("postgres: set warning of %q: %w", source, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("set warning: source %q: %w", source, store.ErrNotFound)
	}
	return nil
}

// RecordFailure implements store.Store.
func (s *Store) RecordFailure(ctx context.Context, source string, at time.Time, reason string) (int, error) {
	if at.IsZero() {
		return 0, fmt.Errorf("postgres: record failure of %q: time is zero", source)
	}
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.mu.RUnlock()
	var failures int
	err := s.pool.QueryRow(ctx, `
		UPDATE sources SET
		    failures      = failures + 1,
		    last_poll     = $1,
		    last_error_at = $1,
		    last_error    = $2
		WHERE name = $3
		RETURNING failures`, ts(at), clean(reason), source).Scan(&failures)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("record failure: source %q: %w", source, store.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("postgres: record failure of %q: %w", source, err)
	}
	return failures, nil
}
