package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/briefbot/briefbot/store/internal/storeutil"
)

// The lease statements every poll runs; Open prepares them (see stmt).
const (
	sqlLeaseTake = `
		INSERT INTO leases (name, owner, expires) VALUES (?1, ?2, ?3)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires = excluded.expires
		WHERE leases.owner = excluded.owner OR leases.expires <= ?4
		RETURNING expires`
	sqlLeaseHolder = `SELECT expires FROM leases WHERE name = ?`
)

// Lease implements store.Store. The upsert takes a free or own lease in
// one statement; when it changes nothing, the holder's expiry is read in
// the same write transaction, so it is the one that turned us away.
func (s *Store) Lease(ctx context.Context, name, owner string, now, until time.Time) (bool, time.Time, error) {
	if err := storeutil.CheckLease(name, owner, now, until); err != nil {
		return false, time.Time{}, fmt.Errorf("sqlite: %w", err)
	}
	var (
		held bool
		t    time.Time
	)
	err := s.inPollWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		held, t, err = s.leaseTx(ctx, tx, name, owner, now, until)
		return err
	})
	if err != nil {
		return false, time.Time{}, err
	}
	return held, t, nil
}

// leaseTx is Lease inside the write transaction tx.
func (s *Store) leaseTx(ctx context.Context, tx *sql.Tx, name, owner string, now, until time.Time) (bool, time.Time, error) {
	nowArg, err := timeArg(now)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("sqlite: lease %q: %w", name, err)
	}
	untilArg, err := timeArg(until)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("sqlite: lease %q: %w", name, err)
	}
	take, err := s.stmt(ctx, tx, sqlLeaseTake)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("sqlite: lease %q: %w", name, err)
	}
	var expires sql.NullString
	held := true
	err = take.QueryRowContext(ctx, name, owner, untilArg, nowArg).Scan(&expires)
	if errors.Is(err, sql.ErrNoRows) {
		held = false
		holder, err := s.stmt(ctx, tx, sqlLeaseHolder)
		if err != nil {
			return false, time.Time{}, fmt.Errorf("sqlite: lease %q: %w", name, err)
		}
		if err := holder.QueryRowContext(ctx, name).Scan(&expires); err != nil {
			return false, time.Time{}, fmt.Errorf("sqlite: lease %q: reading its holder: %w", name, err)
		}
	} else if err != nil {
		return false, time.Time{}, fmt.Errorf("sqlite: lease %q: %w", name, err)
	}
	t, err := parseTime(expires)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("sqlite: lease %q: %w", name, err)
	}
	return held, t, nil
}

// ReleaseLease implements store.Store.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	return s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND owner = ?`, name, owner); err != nil {
			return fmt.Errorf("sqlite: release lease %q: %w", name, err)
		}
		return nil
	})
}
