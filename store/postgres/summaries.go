package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// CachedSummary implements store.SummaryCache.
func (s *Store) CachedSummary(ctx context.Context, key string) (string, bool, error) {
	if err := s.enter(); err != nil {
		return "", false, err
	}
	defer s.mu.RUnlock()
	var v string
	err := s.pool.QueryRow(ctx, `SELECT summary FROM summary_cache WHERE key = $1`, clean(key)).Scan(&v)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("postgres: read cached summary: %w", err)
	}
	return v, true, nil
}

// CacheSummary implements store.SummaryCache. Instances caching the same
// key at once both succeed; the last write stays.
func (s *Store) CacheSummary(ctx context.Context, key, summary string, at time.Time) error {
	if key == "" {
		return errors.New("postgres: cache summary: the key is empty")
	}
	if at.IsZero() {
		return errors.New("postgres: cache summary: the time is zero")
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	_, err := s.pool.Exec(ctx, `
		INSERT INTO summary_cache (key, summary, created) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET summary = excluded.summary, created = excluded.created`,
		clean(key), clean(summary), ts(at))
	if err != nil {
		return fmt.Errorf("postgres: cache summary: %w", err)
	}
	return nil
}
