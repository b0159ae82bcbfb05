package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/briefbot/briefbot/store/internal/storeutil"
)

// Lease implements store.Store. The upsert takes a free or own lease in
// one statement; when it changes nothing, the holder's expiry is read in
// the same write transaction, so it is the one that turned us away.
func (s *Store) Lease(ctx context.Context, name, owner string, now, until time.Time) (bool, time.Time, error) {
	if err := storeutil.CheckLease(name, owner, now, until); err != nil {
		return false, time.Time{}, fmt.Errorf("sqlite: %w", err)
	}
	nowArg, err := timeArg(now)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("sqlite: lease %q: %w", name, err)
	}
	untilArg, err := timeArg(until)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("sqlite: lease %q: %w", name, err)
	}
	var (
		held    bool
		expires sql.NullString
	)
	err = s.inWrite(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `
			INSERT INTO leases (name, owner, expires) VALUES (?1, ?2, ?3)
			ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires = excluded.expires
			WHERE leases.owner = excluded.owner OR leases.expires <= ?4
			RETURNING expires`, name, owner, untilArg, nowArg).Scan(&expires)
		if err == nil {
			held = true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: lease %q: %w", name, err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT expires FROM leases WHERE name = ?`, name).Scan(&expires); err != nil {
			return fmt.Errorf("sqlite: lease %q: reading its holder: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return false, time.Time{}, err
	}
	t, err := parseTime(expires)
	return held, t, err
}

// ReleaseLease implements store.Store.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	return s.inWrite(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND owner = ?`, name, owner); err != nil {
			return fmt.Errorf("sqlite: release lease %q: %w", name, err)
		}
		return nil
	})
}
