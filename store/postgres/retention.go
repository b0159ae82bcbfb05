package postgres

import (
	"context"
	"fmt"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/internal/storeutil"
	"github.com/jackc/pgx/v5"
)

// pruneBatch bounds the rows one retention transaction touches, so that a
// first prune of a year's data never holds locks for long.
const pruneBatch = 500

// The retention statements take the cutoff as $1 and the batch size as $2.
const (
	// The stories are locked first, so a concurrent join either finishes
	// before or finds the story gone.
	sqlOldStories = `SELECT id FROM stories WHERE updated < $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`
	sqlStripItems = `
		UPDATE items SET title = '', description = '', content = '', author = ''
		WHERE id IN (SELECT id FROM items
		             WHERE state <> 'pending' AND (title <> '' OR description <> '' OR content <> '') AND fetched < $1
		             LIMIT $2)`
	sqlPruneSummaries = `DELETE FROM summary_cache WHERE key IN (SELECT key FROM summary_cache WHERE created < $1 LIMIT $2)`
	// Article pages are kept to summarize and explain recent items; an old
	// one read again is fetched again, never posted again.
	sqlPruneArticles = `DELETE FROM item_articles WHERE link IN (SELECT link FROM item_articles WHERE fetched < $1 LIMIT $2)`
	sqlPruneDigests  = `
		DELETE FROM deliveries WHERE id IN (
		    SELECT id FROM deliveries WHERE kind = 'digest' AND coalesce(ended_at, created) < $1 LIMIT $2)`
)

// Prune implements store.Store.
func (s *Store) Prune(ctx context.Context, r store.Retention) (store.Pruned, error) {
	var out store.Pruned
	if !r.StoriesBefore.IsZero() {
		cut := ts(r.StoriesBefore)
		// Story deliveries go with their story, never alone.
		err := s.pruneLoop(ctx, func(tx pgx.Tx) (int64, error) {
			rows, err := tx.Query(ctx, sqlOldStories, cut, pruneBatch)
			if err != nil {
				return 0, err
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil || len(ids) == 0 {
				return 0, err
			}
			tag, err := tx.Exec(ctx, `DELETE FROM deliveries WHERE story_id = ANY ($1)`, ids)
			if err != nil {
				return 0, err
			}
			d := tag.RowsAffected()
			if tag, err = tx.Exec(ctx, `DELETE FROM stories WHERE id = ANY ($1)`, ids); err != nil {
				return 0, err
			}
			out.Deliveries += d
			out.Stories += tag.RowsAffected()
			return int64(len(ids)), nil
		})
		if err != nil {
			return out, fmt.Errorf("postgres: prune stories: %w", err)
		}
		if err := s.pruneAll(ctx, &out.ItemsStripped, sqlStripItems, cut); err != nil {
			return out, fmt.Errorf("postgres: prune items: %w", err)
		}
		if err := s.pruneAll(ctx, &out.Summaries, sqlPruneSummaries, cut); err != nil {
			return out, fmt.Errorf("postgres: prune summaries: %w", err)
		}
		if err := s.pruneAll(ctx, &out.Articles, sqlPruneArticles, cut); err != nil {
			return out, fmt.Errorf("postgres: prune article pages: %w", err)
		}
	}
	if !r.DeliveriesBefore.IsZero() {
		if err := s.pruneAll(ctx, &out.Deliveries, sqlPruneDigests, ts(r.DeliveriesBefore)); err != nil {
			return out, fmt.Errorf("postgres: prune digest deliveries: %w", err)
		}
	}
	return out, nil
}

// pruneAll runs one retention statement in batches until it is done,
// adding the rows it touched to *n.
func (s *Store) pruneAll(ctx context.Context, n *int64, query string, cut any) error {
	return s.pruneLoop(ctx, func(tx pgx.Tx) (int64, error) {
		tag, err := tx.Exec(ctx, query, cut, pruneBatch)
		if err != nil {
			return 0, err
		}
		*n += tag.RowsAffected()
		return tag.RowsAffected(), nil
	})
}

// pruneLoop runs batch in its own transaction until it touches fewer than
// a full batch. (A transaction retried after a deadlock may be counted
// twice in Pruned, which is only for the log.)
func (s *Store) pruneLoop(ctx context.Context, batch func(tx pgx.Tx) (int64, error)) error {
	return storeutil.InBatches(ctx, pruneBatch, func() (n int64, err error) {
		err = s.inTx(ctx, func(tx pgx.Tx) error {
			n, err = batch(tx)
			return err
		})
		return n, err
	})
}
