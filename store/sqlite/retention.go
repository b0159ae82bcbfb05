package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/internal/storeutil"
)

// pruneBatch bounds the rows one retention transaction touches, so that a
// first prune of a year's data never holds the single writer for long.
const pruneBatch = 500

// The retention statements take the cutoff as ?1 and the batch size as ?2.
const (
	// Story deliveries go with their story, never alone; both statements
	// pick the same stories inside one transaction.
	sqlOldStories         = `SELECT id FROM stories WHERE updated < ?1 ORDER BY id LIMIT ?2`
	sqlPruneStoryDelivery = `DELETE FROM deliveries WHERE story_id IN (` + sqlOldStories + `)`
	sqlPruneStories       = `DELETE FROM stories WHERE id IN (` + sqlOldStories + `)`
	sqlItemsToStrip       = `
		SELECT id, source, key, guid, link, language, published, fetched, state, decision FROM items
		WHERE state <> 'pending' AND (title <> '' OR description <> '' OR content <> '') AND fetched < ?1
		LIMIT ?2`
	sqlPruneSummaries = `DELETE FROM summary_cache WHERE key IN (SELECT key FROM summary_cache WHERE created < ?1 LIMIT ?2)`
	// Article pages are kept to summarize and explain recent items; an old
	// one read again is fetched again, never posted again.
	sqlPruneArticles = `DELETE FROM item_articles WHERE link IN (SELECT link FROM item_articles WHERE fetched < ?1 LIMIT ?2)`
	sqlPruneDigests  = `
		DELETE FROM deliveries WHERE id IN (
		    SELECT id FROM deliveries WHERE kind = 'digest' AND coalesce(ended_at, created) < ?1 LIMIT ?2)`
)

// Prune implements store.Store.
func (s *Store) Prune(ctx context.Context, r store.Retention) (store.Pruned, error) {
	var out store.Pruned
	if !r.StoriesBefore.IsZero() {
		cut, err := timeArg(r.StoriesBefore)
		if err != nil {
			return out, fmt.Errorf("sqlite: prune: %w", err)
		}
		err = s.pruneLoop(ctx, func(ctx context.Context, tx *sql.Tx) (int64, error) {
			if _, err := execCount(ctx, tx, &out.Deliveries, sqlPruneStoryDelivery, cut); err != nil {
				return 0, err
			}
			return execCount(ctx, tx, &out.Stories, sqlPruneStories, cut)
		})
		if err != nil {
			return out, fmt.Errorf("sqlite: prune stories: %w", err)
		}
		err = s.pruneLoop(ctx, func(ctx context.Context, tx *sql.Tx) (int64, error) {
			n, err := stripItems(ctx, tx, cut)
			out.ItemsStripped += n
			return n, err
		})
		if err != nil {
			return out, fmt.Errorf("sqlite: prune items: %w", err)
		}
		if err := s.pruneAll(ctx, &out.Summaries, sqlPruneSummaries, cut); err != nil {
			return out, fmt.Errorf("sqlite: prune summaries: %w", err)
		}
		if err := s.pruneAll(ctx, &out.Articles, sqlPruneArticles, cut); err != nil {
			return out, fmt.Errorf("sqlite: prune article pages: %w", err)
		}
	}
	if !r.DeliveriesBefore.IsZero() {
		cut, err := timeArg(r.DeliveriesBefore)
		if err != nil {
			return out, fmt.Errorf("sqlite: prune: %w", err)
		}
		if err := s.pruneAll(ctx, &out.Deliveries, sqlPruneDigests, cut); err != nil {
			return out, fmt.Errorf("sqlite: prune digest deliveries: %w", err)
		}
	}
	return out, nil
}

// stripItems strips one batch of old items down to their identity. It
// moves each to a new row rather than updating it in place: an item is a
// few kilobytes, one or two to a page, and in-place updates would leave
// every old page nearly empty yet allocated, so the file would grow as if
// nothing were pruned (measured: 0.98 of the size without retention after
// a year). Deleted rows free whole pages, which SQLite reuses; the small
// copies pack densely at the end. An item in a story keeps its ID (the
// story refers to it) and is stripped in place.
func stripItems(ctx context.Context, tx *sql.Tx, cut any) (int64, error) {
	type row struct {
		id                                  int64
		source, key, guid, link, lang, stat string
		published, fetched, decision        sql.NullString
	}
	rs, err := tx.QueryContext(ctx, sqlItemsToStrip, cut, pruneBatch)
	if err != nil {
		return 0, err
	}
	var batch []row
	for rs.Next() {
		var r row
		if err := rs.Scan(&r.id, &r.source, &r.key, &r.guid, &r.link, &r.lang, &r.published, &r.fetched, &r.stat, &r.decision); err != nil {
			rs.Close()
			return 0, err
		}
		batch = append(batch, r)
	}
	if err := rs.Err(); err != nil {
		rs.Close()
		return 0, err
	}
	if err := rs.Close(); err != nil {
		return 0, err
	}
	for _, r := range batch {
		res, err := tx.ExecContext(ctx, `
			DELETE FROM items WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM story_items WHERE item_id = ?1)`, r.id)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			_, err = tx.ExecContext(ctx, `UPDATE items SET title = '', description = '', content = '', author = '' WHERE id = ?`, r.id)
		} else {
			_, err = tx.ExecContext(ctx, `
				INSERT INTO items (source, key, guid, link, language, published, fetched, state, decision)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				r.source, r.key, r.guid, r.link, r.lang, r.published, r.fetched, r.stat, r.decision)
		}
		if err != nil {
			return 0, err
		}
	}
	return int64(len(batch)), nil
}

// execCount runs one retention statement and adds the rows it touched to *n.
func execCount(ctx context.Context, tx *sql.Tx, n *int64, query string, cut any) (int64, error) {
	res, err := tx.ExecContext(ctx, query, cut, pruneBatch)
	if err != nil {
		return 0, err
	}
	k, _ := res.RowsAffected()
	*n += k
	return k, nil
}

// pruneAll runs one retention statement in batches until it is done.
func (s *Store) pruneAll(ctx context.Context, n *int64, query string, cut any) error {
	return s.pruneLoop(ctx, func(ctx context.Context, tx *sql.Tx) (int64, error) { return execCount(ctx, tx, n, query, cut) })
}

// pruneLoop runs batch as one write until it touches fewer than a full
// batch. batch must use the ctx it is given, not Prune's: a write shares
// its transaction with others, and a statement interrupted by Prune's
// cancellation would roll theirs back too; ctx ending stops the loop
// between batches instead.
func (s *Store) pruneLoop(ctx context.Context, batch func(ctx context.Context, tx *sql.Tx) (int64, error)) error {
	return storeutil.InBatches(ctx, pruneBatch, func() (n int64, err error) {
		err = s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
			n, err = batch(ctx, tx)
			return err
		})
		return n, err
	})
}
