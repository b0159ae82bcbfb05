package postgres

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/storetest"
)

// The benchmarks run store/sqlite's data (storetest's generators), so the
// two stores' figures compare directly.

func benchStore(b *testing.B) *Store {
	b.Helper()
	return openURL(b, newSchema(b))
}

// BenchmarkRecordPoll: see storetest.BenchRecordPoll.
func BenchmarkRecordPoll(b *testing.B) {
	storetest.BenchRecordPoll(b, func(b *testing.B) store.Store { return benchStore(b) })
}

// fillStories writes storetest.BenchStories(n), each with one item, with
// COPY: CompleteItem per story would make setup take minutes. The rows are
// what CompleteItem writes; the search column computes itself.
func fillStories(ctx context.Context, s *Store, n int) error {
	var items, stories, members, storyTopics [][]any
	for _, st := range storetest.BenchStories(n) {
		items = append(items, []any{st.ID, st.Source, st.Link, st.Link, st.Headline, st.Published, st.FirstSeen, "done", `{"relevant":true}`})
		stories = append(stories, []any{st.ID, st.Headline, st.Summary, st.Link, st.Published, st.FirstSeen, st.FirstSeen, st.Topics, st.Subtopics})
		members = append(members, []any{st.ID, st.ID})
		for _, t := range st.Topics {
			storyTopics = append(storyTopics, []any{t, st.FirstSeen, st.ID})
		}
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, src := range storetest.BenchSources {
			if _, err := tx.Exec(ctx, `INSERT INTO sources (name, url) VALUES ($1, $2)`, src, "https://"+src+".example/feed"); err != nil {
				return err
			}
		}
		for _, c := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"items", []string{"id", "source", "key", "link", "title", "published", "fetched", "state", "decision"}, items},
			{"stories", []string{"id", "headline", "summary", "link", "published", "first_seen", "updated", "topics", "subtopics"}, stories},
			{"story_items", []string{"item_id", "story_id"}, members},
			{"story_topics", []string{"topic", "first_seen", "story_id"}, storyTopics},
		} {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
				return fmt.Errorf("copy %s: %w", c.table, err)
			}
		}
		for _, t := range []string{"items", "stories"} {
			if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT max(id) FROM `+t+`))`); err != nil {
				return err
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
	if _, err := s.pool.Exec(b.Context(), `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	storetest.BenchStoriesRead(b, s, n)
}
