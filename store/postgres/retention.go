package postgres

import (
	"context"
	"fmt"

	"github.com/briefbot/briefbot/store"
	"github.com/jackc/pgx/v5"
)

// pruneBatch bounds the rows one retention transaction touches, so that a
// first prune of a year's data never holds locks for long.
const pruneBatch = 500

// Prune implements store.Store.
func (s *Store) Prune(ctx context.Context, r store.Retention) (store.Pruned, error) {
	var out store.Pruned
	if !r.StoriesBefore.IsZero() {
		cut := ts(r.StoriesBefore)
		// Story deliveries go with their story, never alone. The stories
		// are locked first, so a concurrent join either finishes before or
		// finds the story gone.
		err := s.pruneLoop(ctx, func(tx pgx.Tx) (int64, error) {
			rows, err := tx.Query(ctx, `
				SELECT id FROM stories WHERE updated < $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`, cut, pruneBatch)
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
		err = s.pruneLoop(ctx, func(tx pgx.Tx) (int64, error) {
			tag, err := tx.Exec(ctx, `
				UPDATE items SET title = '', description = '', content = '', author = ''
				WHERE id IN (SELECT id FROM items
				             WHERE state <> 'pending' AND (title <> '' OR description <> '' OR content <> '') AND fetched < $1
				             LIMIT $2)`, cut, pruneBatch)
			if err != nil {
				return 0, err
			}
			out.ItemsStripped += tag.RowsAffected()
			return tag.RowsAffected(), nil
		})
		if err != nil {
			return out, fmt.Errorf("postgres: prune items: %w", err)
		}
		err = s.pruneLoop(ctx, func(tx pgx.Tx) (int64, error) {
			tag, err := tx.Exec(ctx, `
				DELETE FROM summary_cache WHERE key IN (SELECT key FROM summary_cache WHERE created < $1 LIMIT $2)`, cut, pruneBatch)
			if err != nil {
				return 0, err
			}
			out.Summaries += tag.RowsAffected()
			return tag.RowsAffected(), nil
		})
		if err != nil {
			return out, fmt.Errorf("postgres: prune summaries: %w", err)
		}
	}
	if !r.DeliveriesBefore.IsZero() {
		cut := ts(r.DeliveriesBefore)
		err := s.pruneLoop(ctx, func(tx pgx.Tx) (int64, error) {
			tag, err := tx.Exec(ctx, `
				DELETE FROM deliveries WHERE id IN (
				    SELECT id FROM deliveries WHERE kind = 'digest' AND coalesce(ended_at, created) < $1 LIMIT $2)`, cut, pruneBatch)
			if err != nil {
				return 0, err
			}
			out.Deliveries += tag.RowsAffected()
			return tag.RowsAffected(), nil
		})
		if err != nil {
			return out, fmt.Errorf("postgres: prune digest deliveries: %w", err)
		}
	}
	return out, nil
}

// pruneLoop runs batch in its own transaction until it touches fewer than
// a full batch. (A transaction retried after a deadlock may be counted
// twice in Pruned, which is only for the log.)
func (s *Store) pruneLoop(ctx context.Context, batch func(tx pgx.Tx) (int64, error)) error {
	for {
		var n int64
		err := s.inTx(ctx, func(tx pgx.Tx) error {
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
