package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/briefbot/briefbot/store"
)

// pruneBatch bounds the rows one retention transaction touches, so that a
// first prune of a year's data never holds the single writer for long.
const pruneBatch = 500

// Prune implements store.Store.
func (s *Store) Prune(ctx context.Context, r store.Retention) (store.Pruned, error) {
	var out store.Pruned
	if !r.StoriesBefore.IsZero() {
		cut, err := timeArg(r.StoriesBefore)
		if err != nil {
			return out, fmt.Errorf("sqlite: prune: %w", err)
		}
		// Story deliveries go with their story, never alone; both
		// statements pick the same stories inside one transaction.
		const oldStories = `SELECT id FROM stories WHERE updated < ?1 ORDER BY id LIMIT ?2`
		err = s.pruneLoop(ctx, func(tx *sql.Tx) (int64, error) {
			res, err := tx.ExecContext(ctx, `DELETE FROM deliveries WHERE story_id IN (`+oldStories+`)`, cut, pruneBatch)
			if err != nil {
				return 0, err
			}
			d, _ := res.RowsAffected()
			out.Deliveries += d
			res, err = tx.ExecContext(ctx, `DELETE FROM stories WHERE id IN (`+oldStories+`)`, cut, pruneBatch)
			if err != nil {
				return 0, err
			}
			n, _ := res.RowsAffected()
			out.Stories += n
			return n, nil
		})
		if err != nil {
			return out, fmt.Errorf("sqlite: prune stories: %w", err)
		}
		err = s.pruneLoop(ctx, func(tx *sql.Tx) (int64, error) {
			res, err := tx.ExecContext(ctx, `
				UPDATE items SET title = '', description = '', content = '', author = ''
				WHERE id IN (SELECT id FROM items
				             WHERE state <> 'pending' AND (title <> '' OR description <> '' OR content <> '') AND fetched < ?1
				             LIMIT ?2)`, cut, pruneBatch)
			if err != nil {
				return 0, err
			}
			n, _ := res.RowsAffected()
			out.ItemsStripped += n
			return n, nil
		})
		if err != nil {
			return out, fmt.Errorf("sqlite: prune items: %w", err)
		}
		err = s.pruneLoop(ctx, func(tx *sql.Tx) (int64, error) {
			res, err := tx.ExecContext(ctx, `
				DELETE FROM summary_cache WHERE key IN (SELECT key FROM summary_cache WHERE created < ?1 LIMIT ?2)`, cut, pruneBatch)
			if err != nil {
				return 0, err
			}
			n, _ := res.RowsAffected()
			out.Summaries += n
			return n, nil
		})
		if err != nil {
			return out, fmt.Errorf("sqlite: prune summaries: %w", err)
		}
	}
	if !r.DeliveriesBefore.IsZero() {
		cut, err := timeArg(r.DeliveriesBefore)
		if err != nil {
			return out, fmt.Errorf("sqlite: prune: %w", err)
		}
		err = s.pruneLoop(ctx, func(tx *sql.Tx) (int64, error) {
			res, err := tx.ExecContext(ctx, `
				DELETE FROM deliveries WHERE id IN (
				    SELECT id FROM deliveries WHERE kind = 'digest' AND coalesce(ended_at, created) < ?1 LIMIT ?2)`, cut, pruneBatch)
			if err != nil {
				return 0, err
			}
			n, _ := res.RowsAffected()
			out.Deliveries += n
			return n, nil
		})
		if err != nil {
			return out, fmt.Errorf("sqlite: prune digest deliveries: %w", err)
		}
	}
	return out, nil
}

// pruneLoop runs batch in its own write transaction until it touches fewer
// than a full batch.
func (s *Store) pruneLoop(ctx context.Context, batch func(tx *sql.Tx) (int64, error)) error {
	for {
		var n int64
		err := s.inWrite(ctx, func(tx *sql.Tx) error {
			var err error
			n, err = batch(tx)
			return err
		})
		if err != nil {
			return err
		}
		if n < pruneBatch {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}
