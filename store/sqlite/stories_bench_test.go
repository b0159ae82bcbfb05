package sqlite

import (
	"context"
	"database/sql"
	"testing"

	"github.com/briefbot/briefbot/store/storetest"
)

// fillStories writes storetest.BenchStories(n) directly through SQL in one
// transaction: CompleteItem per story would make setup take minutes. The
// rows are what CompleteItem writes, triggers included.
func fillStories(ctx context.Context, s *Store, n int) error {
	return s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, src := range storetest.BenchSources {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sources (name, url) VALUES (?, ?)`, src, "https://"+src+".example/feed"); err != nil {
				return err
			}
		}
		insItem, err := tx.PrepareContext(ctx, `INSERT INTO items (source, key, link, title, published, fetched, state, decision)
			VALUES (?, ?, ?, ?, ?, ?, 'done', '{"relevant":true}') RETURNING id`)
		if err != nil {
			return err
		}
		insStory, err := tx.PrepareContext(ctx, `INSERT INTO stories (headline, summary, link, published, first_seen, updated, topics, subtopics)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
		if err != nil {
			return err
		}
		insMember, err := tx.PrepareContext(ctx, `INSERT INTO story_items (item_id, story_id) VALUES (?, ?)`)
		if err != nil {
			return err
		}
		insTopic, err := tx.PrepareContext(ctx, `INSERT INTO story_topics (topic, first_seen, story_id) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		for _, st := range storetest.BenchStories(n) {
			at, _ := timeArg(st.FirstSeen)
			pub, _ := timeArg(st.Published)
			var itemID, storyID int64
			if err := insItem.QueryRowContext(ctx, st.Source, st.Link, st.Link, st.Headline, pub, at).Scan(&itemID); err != nil {
				return err
			}
			if err := insStory.QueryRowContext(ctx, st.Headline, st.Summary, st.Link, pub, at, at,
				jsonList(st.Topics), jsonList(st.Subtopics)).Scan(&storyID); err != nil {
				return err
			}
			if _, err := insMember.ExecContext(ctx, itemID, storyID); err != nil {
				return err
			}
			for _, t := range st.Topics {
				if _, err := insTopic.ExecContext(ctx, t, at, storyID); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// BenchmarkStories times the reads behind /latest and /topic: see
// storetest.BenchStoriesRead.
func BenchmarkStories(b *testing.B) {
	n := storetest.BenchStoryCount()
	s := benchStore(b)
	if err := fillStories(b.Context(), s, n); err != nil {
		b.Fatalf("filling %d stories: %v", n, err)
	}
	if _, err := s.write.ExecContext(b.Context(), `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	storetest.BenchStoriesRead(b, s, n)
}
