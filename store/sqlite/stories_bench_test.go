package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
)

// benchCorpus describes the synthetic story base: word frequencies follow
// Zipf's law like real text, and a few marker words occur at fixed rates so
// searches of known selectivity can be timed.
var benchMarkers = []struct {
	word string
	rate float64 // share of stories whose headline or summary has it
}{
	{"iran", 0.30},      // a word most stories share
	{"ceasefire", 0.08}, // a common subject
	{"hormuz", 0.005},   // a rare one
}

// Stories arrive every 5 minutes from benchStart: 100,000 span a year.
var benchStart, benchEvery = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), 5 * time.Minute

// fillStories writes n stories, each with one item, directly through SQL in
// one transaction: CompleteItem per story would make setup take minutes.
// The rows are what CompleteItem writes, triggers included.
func fillStories(ctx context.Context, s *Store, n int) error {
	topics := []string{"mideast-diplomacy", "gaza", "energy", "sanctions"}
	topicWeights := []float64{0.6, 0.25, 0.1, 0.05}
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rng, 1.1, 1, 20_000)
	words := func(k int) []string {
		out := make([]string, k)
		for i := range out {
			out[i] = fmt.Sprintf("w%d", zipf.Uint64())
		}
		return out
	}
	pick := func() string {
		x := rng.Float64()
		for i, w := range topicWeights {
			if x < w {
				return topics[i]
			}
			x -= w
		}
		return topics[0]
	}
	return s.inWrite(ctx, func(tx *sql.Tx) error {
		for _, src := range []string{"reuters", "ap", "aljazeera", "bbc"} {
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
			VALUES (?, ?, ?, ?, ?, ?, ?, '["talks"]') RETURNING id`)
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
		for i := range n {
			head, summary := words(10), words(40)
			for _, m := range benchMarkers {
				if rng.Float64() < m.rate {
					if rng.IntN(2) == 0 {
						head[rng.IntN(len(head))] = m.word
					} else {
						summary[rng.IntN(len(summary))] = m.word
					}
				}
			}
			seen := benchStart.Add(time.Duration(i) * benchEvery)
			at, _ := timeArg(seen)
			pub, _ := timeArg(seen.Add(-20 * time.Minute))
			src := []string{"reuters", "ap", "aljazeera", "bbc"}[i%4]
			link := fmt.Sprintf("https://%s.example/news/%d", src, i)
			title := strings.Join(head, " ")
			var itemID, storyID int64
			if err := insItem.QueryRowContext(ctx, src, link, link, title, pub, at).Scan(&itemID); err != nil {
				return err
			}
			ts := []string{pick()}
			if t2 := pick(); t2 != ts[0] && rng.IntN(4) == 0 {
				ts = append(ts, t2)
			}
			if err := insStory.QueryRowContext(ctx, title, strings.Join(summary, " "), link, pub, at, at, jsonList(ts)).Scan(&storyID); err != nil {
				return err
			}
			if _, err := insMember.ExecContext(ctx, itemID, storyID); err != nil {
				return err
			}
			for _, t := range ts {
				if _, err := insTopic.ExecContext(ctx, t, at, storyID); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// BenchmarkStories times the reads behind /latest and /topic on a store of
// 100,000 stories, reporting the 99th percentile beside the mean.
func BenchmarkStories(b *testing.B) {
	n := 100_000 // the figure the README reports
	if v, err := strconv.Atoi(os.Getenv("BRIEFBOT_BENCH_STORIES")); err == nil && v > 0 {
		n = v // CI's one-pass smoke run uses a small store
	}
	s := benchStore(b)
	if err := fillStories(b.Context(), s, n); err != nil {
		b.Fatalf("filling %d stories: %v", n, err)
	}
	if _, err := s.write.ExecContext(b.Context(), `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	last := benchStart.Add(time.Duration(n-1) * benchEvery)
	queries := []struct {
		name string
		q    store.StoryQuery
	}{
		{"latest", store.StoryQuery{Limit: 5}},
		{"topic-60pct", store.StoryQuery{Topic: "mideast-diplomacy", Limit: 5}},
		{"topic-5pct", store.StoryQuery{Topic: "sanctions", Limit: 10}},
		{"topic-since-72h", store.StoryQuery{Topic: "gaza", Since: last.Add(-72 * time.Hour), Limit: 10}},
		{"text-30pct", store.StoryQuery{Text: "Iran", Limit: 5}},
		{"text-8pct", store.StoryQuery{Text: "ceasefire", Limit: 5}},
		{"text-0.5pct", store.StoryQuery{Text: "hormuz", Limit: 5}},
		{"text-two-words", store.StoryQuery{Text: "iran ceasefire", Limit: 5}},
		{"text-and-topic", store.StoryQuery{Text: "ceasefire", Topic: "gaza", Limit: 5}},
		{"text-30pct-rare-topic", store.StoryQuery{Text: "iran", Topic: "sanctions", Limit: 5}},
		{"text-30pct-since-72h", store.StoryQuery{Text: "iran", Since: last.Add(-72 * time.Hour), Limit: 5}},
		{"text-no-match", store.StoryQuery{Text: "zzzz", Limit: 5}},
	}
	for _, tc := range queries {
		b.Run(tc.name, func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				start := time.Now()
				got, err := s.Stories(b.Context(), tc.q)
				lat = append(lat, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				if len(got) == 0 && tc.name != "text-no-match" {
					b.Fatalf("%s found nothing", tc.name)
				}
			}
			reportP99(b, lat)
		})
	}
	b.Run("story-by-id", func(b *testing.B) {
		var lat []time.Duration
		for i := 0; b.Loop(); i++ {
			start := time.Now()
			if _, err := s.Story(b.Context(), int64(1+i*7919%n)); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
		reportP99(b, lat)
	})
}

func reportP99(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
