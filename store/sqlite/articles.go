package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/briefbot/briefbot/store"
)

// SaveItemArticle implements store.ItemArticles.
func (s *Store) SaveItemArticle(ctx context.Context, a store.ItemArticle) error {
	if err := a.Check(); err != nil {
		return fmt.Errorf("sqlite: save item article: %w", err)
	}
	fetched, err := timeArg(a.At)
	if err != nil {
		return fmt.Errorf("sqlite: save item article: %w", err)
	}
	return s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
INSERT INTO item_articles (link, origin, reason, detail, words, body, fetched) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (link) DO UPDATE SET origin = excluded.origin, reason = excluded.reason, detail = excluded.detail,
	words = excluded.words, body = excluded.body, fetched = excluded.fetched`,
			a.Link, a.From, a.Reason, a.Detail, a.Words, a.Text, fetched)
		if err != nil {
			return fmt.Errorf("sqlite: save item article: %w", err)
		}
		return nil
	})
}

// ItemArticle implements store.ItemArticles.
func (s *Store) ItemArticle(ctx context.Context, link string) (store.ItemArticle, bool, error) {
	if err := s.enter(); err != nil {
		return store.ItemArticle{}, false, err
	}
	defer s.mu.RUnlock()
	a := store.ItemArticle{Link: link}
	var fetched sql.NullString
	err := s.read.QueryRowContext(ctx, `SELECT origin, reason, detail, words, body, fetched FROM item_articles WHERE link = ?`, link).
		Scan(&a.From, &a.Reason, &a.Detail, &a.Words, &a.Text, &fetched)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return store.ItemArticle{}, false, nil
	case err != nil:
		return store.ItemArticle{}, false, fmt.Errorf("sqlite: read item article: %w", err)
	}
	if a.At, err = parseTime(fetched); err != nil {
		return store.ItemArticle{}, false, err
	}
	return a, true, nil
}
