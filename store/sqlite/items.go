package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/internal/storeutil"
	"github.com/briefbot/briefbot/story"
)

// itemColumns ends with the item's story, read back as Decision.StoryID.
const itemColumns = `id, source, key, guid, link, title, description, content,
	author, language, published, fetched, state, decision,
	(SELECT story_id FROM story_items WHERE item_id = items.id)`

// prefixed qualifies itemColumns with a table alias (alias "i." gives
// "i.id, i.source, ..."), for queries that join items to other tables.
func prefixed(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols[:len(cols)-1] { // the last is the story subquery
		cols[i] = alias + strings.TrimSpace(c)
	}
	last := strings.ReplaceAll(cols[len(cols)-1], "items.id", alias+"id")
	return strings.Join(cols[:len(cols)-1], ", ") + "," + last
}

// pendingQuery is served by the partial index items_pending.
const pendingQuery = `
	SELECT ` + itemColumns + ` FROM items
	WHERE state = 'pending'
	ORDER BY fetched, id
	LIMIT ?`

// byLinkQuery prefers the most advanced state, as store.Store documents.
// "link <> ”" repeats the partial index's condition so SQLite uses it.
const byLinkQuery = `
	SELECT ` + itemColumns + ` FROM items
	WHERE link = ? AND link <> ''
	ORDER BY CASE state WHEN 'done' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END, id
	LIMIT 1`

func scanItem(sc interface{ Scan(...any) error }) (store.StoredItem, error) {
	var (
		si                 store.StoredItem
		published, fetched sql.NullString
		state              string
		decision           sql.NullString
		storyID            sql.NullInt64
	)
	it := &si.Item
	err := sc.Scan(&it.ID, &it.Source, &it.Key, &it.GUID, &it.Link, &it.Title, &it.Description,
		&it.Content, &it.Author, &it.Language, &published, &fetched, &state, &decision, &storyID)
	if err != nil {
		return si, err
	}
	if it.Published, err = parseTime(published); err != nil {
		return si, err
	}
	if it.Fetched, err = parseTime(fetched); err != nil {
		return si, err
	}
	si.State = store.ItemState(state)
	if decision.Valid {
		d, err := storeutil.DecodeDecision([]byte(decision.String))
		if err != nil {
			return si, fmt.Errorf("item %d: %w", it.ID, err)
		}
		d.StoryID = storyID.Int64
		si.Decision = &d
	}
	return si, nil
}

// PendingItems implements store.Store.
func (s *Store) PendingItems(ctx context.Context, limit int) ([]story.Item, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("sqlite: pending items: limit is %d; it must be positive", limit)
	}
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	rows, err := s.read.QueryContext(ctx, pendingQuery, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: pending items: %w", err)
	}
	defer rows.Close()
	var items []story.Item
	for rows.Next() {
		si, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: pending items: %w", err)
		}
		items = append(items, si.Item)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: pending items: %w", err)
	}
	return items, nil
}

// CompleteItem implements store.Store.
func (s *Store) CompleteItem(ctx context.Context, id int64, d store.Decision) error {
	js, err := storeutil.EncodeDecision(d)
	if err != nil {
		return fmt.Errorf("sqlite: complete item %d: %w", id, err)
	}
	// A relevant decision's time becomes its story's FirstSeen, which
	// orders stories and gates subscriptions: it must be set.
	at, err := timeArg(d.At)
	if d.Relevant && (err != nil || at == nil) {
		return fmt.Errorf("sqlite: complete item %d: decision time %v: %w", id, d.At, errOrZero(err))
	}
	return s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var (
			state     string
			it        storyItem
			published sql.NullString
		)
		err := tx.QueryRowContext(ctx, `SELECT state, title, link, published, source FROM items WHERE id = ?`, id).
			Scan(&state, &it.title, &it.link, &published, &it.source)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("complete item %d: %w", id, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("sqlite: complete item %d: %w", id, err)
		}
		if store.ItemState(state) == store.ItemSeen {
			return fmt.Errorf("sqlite: complete item %d: it was recorded as seen (backlog or too old) and never enters the pipeline", id)
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE items SET state = 'done', decision = ? WHERE id = ?`, js, id); err != nil {
			return fmt.Errorf("sqlite: complete item %d: %w", id, err)
		}
		if !d.Relevant {
			return nil
		}
		it.id, it.published = id, published
		if err := addToStory(ctx, tx, it, d, at.(string)); err != nil {
			return fmt.Errorf("sqlite: complete item %d: %w", id, err)
		}
		return nil
	})
}

// Item implements store.Store.
func (s *Store) Item(ctx context.Context, id int64) (store.StoredItem, error) {
	if err := s.enter(); err != nil {
		return store.StoredItem{}, err
	}
	defer s.mu.RUnlock()
	si, err := scanItem(s.read.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM items WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return si, fmt.Errorf("item %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return si, fmt.Errorf("sqlite: item %d: %w", id, err)
	}
	return si, nil
}

// errOrZero explains a missing time when there is no underlying error.
func errOrZero(err error) error {
	if err != nil {
		return err
	}
	return errors.New("it is zero; set Decision.At")
}

// ItemByLink implements store.Store.
func (s *Store) ItemByLink(ctx context.Context, link string) (store.StoredItem, error) {
	if link == "" {
		return store.StoredItem{}, fmt.Errorf("item with an empty link: %w", store.ErrNotFound)
	}
	if err := s.enter(); err != nil {
		return store.StoredItem{}, err
	}
	defer s.mu.RUnlock()
	si, err := scanItem(s.read.QueryRowContext(ctx, byLinkQuery, link))
	if errors.Is(err, sql.ErrNoRows) {
		return si, fmt.Errorf("item with link %q: %w", link, store.ErrNotFound)
	}
	if err != nil {
		return si, fmt.Errorf("sqlite: item by link %q: %w", link, err)
	}
	return si, nil
}
