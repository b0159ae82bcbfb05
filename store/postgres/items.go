package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/internal/storeutil"
	"github.com/briefbot/briefbot/story"
)

// itemColumnsOf lists an items row's columns under alias a ("items." or
// "i."), ending with the item's story, read back as Decision.StoryID.
func itemColumnsOf(a string) string {
	return a + `id, ` + a + `source, ` + a + `key, ` + a + `guid, ` + a + `link, ` + a + `title, ` +
		a + `description, ` + a + `content, ` + a + `author, ` + a + `language, ` + a + `published, ` +
		a + `fetched, ` + a + `state, ` + a + `decision, ` +
		`(SELECT story_id FROM story_items WHERE item_id = ` + a + `id)`
}

var itemColumns = itemColumnsOf("items.")

// pendingQuery is served by the partial index items_pending.
var pendingQuery = `
	SELECT ` + itemColumns + ` FROM items
	WHERE state = 'pending'
	ORDER BY fetched, id
	LIMIT $1`

// byLinkQuery prefers the most advanced state, as store.Store documents.
// "link <> ”" repeats the partial index's condition so the planner uses it.
var byLinkQuery = `
	SELECT ` + itemColumns + ` FROM items
	WHERE link = $1 AND link <> ''
	ORDER BY CASE state WHEN 'done' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END, id
	LIMIT 1`

// scanItem reads itemColumns, after the columns lead names (if any).
func scanItem(row pgx.Row, lead ...any) (store.StoredItem, error) {
	var (
		si                 store.StoredItem
		published, fetched pgtype.Timestamptz
		state              string
		decision           []byte
		storyID            *int64
	)
	it := &si.Item
	err := row.Scan(append(lead, &it.ID, &it.Source, &it.Key, &it.GUID, &it.Link, &it.Title, &it.Description,
		&it.Content, &it.Author, &it.Language, &published, &fetched, &state, &decision, &storyID)...)
	if err != nil {
		return si, err
	}
	it.Published, it.Fetched = fromTS(published), fromTS(fetched)
	si.State = store.ItemState(state)
	if decision != nil {
		d, err := storeutil.DecodeDecision(decision)
		if err != nil {
			return si, fmt.Errorf("item %d: %w", it.ID, err)
		}
		if storyID != nil {
			d.StoryID = *storyID
		}
		si.Decision = &d
	}
	return si, nil
}

// PendingItems implements store.Store.
func (s *Store) PendingItems(ctx context.Context, limit int) ([]story.Item, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("postgres: pending items: limit is %d; it must be positive", limit)
	}
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	rows, err := s.pool.Query(ctx, pendingQuery, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: pending items: %w", err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (story.Item, error) {
		si, err := scanItem(r)
		return si.Item, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: pending items: %w", err)
	}
	return items, nil
}

// CompleteItem implements store.Store.
func (s *Store) CompleteItem(ctx context.Context, id int64, d store.Decision) error {
	js, err := encodeDecision(d)
	if err != nil {
		return fmt.Errorf("postgres: complete item %d: %w", id, err)
	}
	// A relevant decision's time becomes its story's FirstSeen, which
	// orders stories and gates subscriptions: it must be set.
	if d.Relevant && d.At.IsZero() {
		return fmt.Errorf("postgres: complete item %d: decision time is zero; set Decision.At", id)
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var (
			state string
			it    storyItem
		)
		// FOR UPDATE: two completions of one item take turns, so the
		// second sees the first's story and adds none.
		err := tx.QueryRow(ctx, `SELECT state, title, link, published, source FROM items WHERE id = $1 FOR UPDATE`, id).
			Scan(&state, &it.title, &it.link, &it.published, &it.source)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("complete item %d: %w", id, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("postgres: complete item %d: %w", id, err)
		}
		if store.ItemState(state) == store.ItemSeen {
			return fmt.Errorf("postgres: complete item %d: it was recorded as seen (backlog or too old) and never enters the pipeline", id)
		}
		if _, err := tx.Exec(ctx, `UPDATE items SET state = 'done', decision = $1 WHERE id = $2`, js, id); err != nil {
			return fmt.Errorf("postgres: complete item %d: %w", id, err)
		}
		if !d.Relevant {
			return nil
		}
		it.id = id
		if err := addToStory(ctx, tx, it, d); err != nil {
			return fmt.Errorf("postgres: complete item %d: %w", id, err)
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
	si, err := scanItem(s.pool.QueryRow(ctx, `SELECT `+itemColumns+` FROM items WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return si, fmt.Errorf("item %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return si, fmt.Errorf("postgres: item %d: %w", id, err)
	}
	return si, nil
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
	si, err := scanItem(s.pool.QueryRow(ctx, byLinkQuery, clean(link)))
	if errors.Is(err, pgx.ErrNoRows) {
		return si, fmt.Errorf("item with link %q: %w", link, store.ErrNotFound)
	}
	if err != nil {
		return si, fmt.Errorf("postgres: item by link %q: %w", link, err)
	}
	return si, nil
}

// encodeDecision returns the decision as JSON text, the same JSON as
// store/sqlite keeps (so `briefbot migrate --from sqlite:` copies it as
// is). jsonb refuses the escape \u0000, so strings are cleaned first.
func encodeDecision(d store.Decision) (string, error) {
	d.Topics, d.Subtopics, d.Reasons = cleanAll(d.Topics), cleanAll(d.Subtopics), cleanAll(d.Reasons)
	d.Summary = clean(d.Summary)
	return storeutil.EncodeDecision(d)
}
