package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/store"
)

// SaveItemArticle implements store.ItemArticles. Instances saving the
// same link at once both succeed; the last write stays.
func (s *Store) SaveItemArticle(ctx context.Context, a store.ItemArticle) error {
	if err := a.Check(); err != nil {
		return fmt.Errorf("postgres: save item article: %w", err)
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	_, err := s.pool.Exec(ctx, `
		INSERT INTO item_articles (link, origin, reason, detail, words, body, fetched) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (link) DO UPDATE SET origin = excluded.origin, reason = excluded.reason, detail = excluded.detail,
			words = excluded.words, body = excluded.body, fetched = excluded.fetched`,
		clean(a.Link), a.From, clean(a.Reason), clean(a.Detail), a.Words, clean(a.Text), ts(a.At))
	if err != nil {
		return fmt.Errorf("postgres: save item article: %w", err)
	}
	return nil
}

// ItemArticle implements store.ItemArticles.
func (s *Store) ItemArticle(ctx context.Context, link string) (store.ItemArticle, bool, error) {
	if err := s.enter(); err != nil {
		return store.ItemArticle{}, false, err
	}
	defer s.mu.RUnlock()
	a := store.ItemArticle{Link: link}
	err := s.pool.QueryRow(ctx, `SELECT origin, reason, detail, words, body, fetched FROM item_articles WHERE link = $1`, clean(link)).
		Scan(&a.From, &a.Reason, &a.Detail, &a.Words, &a.Text, &a.At)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return store.ItemArticle{}, false, nil
	case err != nil:
		return store.ItemArticle{}, false, fmt.Errorf("postgres: read item article: %w", err)
	}
	a.At = a.At.UTC()
	return a, true, nil
}
