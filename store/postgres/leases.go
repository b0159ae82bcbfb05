package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/store/internal/storeutil"
)

// Lease implements store.Store. The upsert takes a free or own lease in
// one statement: a concurrent claimant of the same name waits for the
// other's row lock and then sees its new expiry, so exactly one wins. When
// it changes nothing, the holder's expiry is read in the same transaction.
// (Delivery claims use SKIP LOCKED because they take a batch of rows;
// here there is one row, and waiting the other's commit out is what tells
// the loser when to come back.)
func (s *Store) Lease(ctx context.Context, name, owner string, now, until time.Time) (bool, time.Time, error) {
	if err := storeutil.CheckLease(name, owner, now, until); err != nil {
		return false, time.Time{}, fmt.Errorf("postgres: %w", err)
	}
	var (
		held    bool
		expires int64
	)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		held = false
		err := tx.QueryRow(ctx, `
			INSERT INTO leases (name, owner, expires) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires = excluded.expires
			WHERE leases.owner = excluded.owner OR leases.expires <= $4
			RETURNING expires`, name, owner, until.UnixNano(), now.UnixNano()).Scan(&expires)
		if err == nil {
			held = true
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("postgres: lease %q: %w", name, err)
		}
		if err := tx.QueryRow(ctx, `SELECT expires FROM leases WHERE name = $1`, name).Scan(&expires); err != nil {
			return fmt.Errorf("postgres: lease %q: reading its holder: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return false, time.Time{}, err
	}
	return held, time.Unix(0, expires).UTC(), nil
}

// ReleaseLease implements store.Store.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	if _, err := s.pool.Exec(ctx, `DELETE FROM leases WHERE name = $1 AND owner = $2`, name, owner); err != nil {
		return fmt.Errorf("postgres: release lease %q: %w", name, err)
	}
	return nil
}
