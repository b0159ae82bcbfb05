package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/store/internal/storeutil"
)

// Lease implements store.Store. A new name is inserted as held; an
// existing row is taken when it is free or already ours, with
// FOR UPDATE SKIP LOCKED, so a claimant never waits on another's
// transaction: a row another instance is claiming this very moment is
// simply not ours (its old expiry is reported, and the caller comes back
// after a little jitter).
func (s *Store) Lease(ctx context.Context, name, owner string, now, until time.Time) (bool, time.Time, error) {
	if err := storeutil.CheckLease(name, owner, now, until); err != nil {
		return false, time.Time{}, fmt.Errorf("postgres: %w", err)
	}
	var (
		held bool
		t    time.Time
	)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		held, t, err = leaseTx(ctx, tx, name, owner, now, until)
		return err
	})
	if err != nil {
		return false, time.Time{}, err
	}
	return held, t, nil
}

// leaseTx is Lease inside the transaction tx.
func leaseTx(ctx context.Context, tx pgx.Tx, name, owner string, now, until time.Time) (bool, time.Time, error) {
	var expires int64
	err := tx.QueryRow(ctx, `
		INSERT INTO leases (name, owner, expires) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO NOTHING
		RETURNING expires`, name, owner, until.UnixNano()).Scan(&expires)
	if err == nil {
		return true, time.Unix(0, expires).UTC(), nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return false, time.Time{}, fmt.Errorf("postgres: lease %q: %w", name, err)
	}
	err = tx.QueryRow(ctx, `
		WITH free AS (
		    SELECT name FROM leases
		    WHERE name = $1 AND (owner = $2 OR expires <= $4)
		    FOR UPDATE SKIP LOCKED
		)
		UPDATE leases l SET owner = $2, expires = $3
		FROM free WHERE l.name = free.name
		RETURNING l.expires`, name, owner, until.UnixNano(), now.UnixNano()).Scan(&expires)
	if err == nil {
		return true, time.Unix(0, expires).UTC(), nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return false, time.Time{}, fmt.Errorf("postgres: lease %q: %w", name, err)
	}
	if err := tx.QueryRow(ctx, `SELECT expires FROM leases WHERE name = $1`, name).Scan(&expires); err != nil {
		return false, time.Time{}, fmt.Errorf("postgres: lease %q: reading its holder: %w", name, err)
	}
	return false, time.Unix(0, expires).UTC(), nil
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
