package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// CachedSummary implements store.SummaryCache.
func (s *Store) CachedSummary(ctx context.Context, key string) (string, bool, error) {
	if err := s.enter(); err != nil {
		return "", false, err
	}
	defer s.mu.RUnlock()
	var v string
	err := s.read.QueryRowContext(ctx, `SELECT summary FROM summary_cache WHERE key = ?`, key).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("sqlite: read cached summary: %w", err)
	}
	return v, true, nil
}

// CacheSummary implements store.SummaryCache.
func (s *Store) CacheSummary(ctx context.Context, key, summary string, at time.Time) error {
	if key == "" {
		return errors.New("sqlite: cache summary: the key is empty")
	}
	if at.IsZero() {
		return errors.New("sqlite: cache summary: the time is zero")
	}
	created, err := timeArg(at)
	if err != nil {
		return fmt.Errorf("sqlite: cache summary: %w", err)
	}
	return s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
INSERT INTO summary_cache (key, summary, created) VALUES (?, ?, ?)
ON CONFLICT (key) DO UPDATE SET summary = excluded.summary, created = excluded.created`, key, summary, created)
		if err != nil {
			return fmt.Errorf("sqlite: cache summary: %w", err)
		}
		return nil
	})
}
