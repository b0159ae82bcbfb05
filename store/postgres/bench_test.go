package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

// The benchmarks mirror store/sqlite's (bench_test.go, stories_bench_test.go):
// the same feed items, poll shapes and story corpus, so the two stores'
// figures compare directly.

// benchItem is sized like a real feed entry: a headline, a two-sentence
// teaser and a few paragraphs of body.
func benchItem(src string, n int, at time.Time) story.Item {
	key := fmt.Sprintf("https://%s.example/news/2025/03/14/story-%d", src, n)
	return story.Item{
		Source:      src,
		Key:         key,
		GUID:        key,
		Link:        key,
		Title:       fmt.Sprintf("Envoys meet for round %d of indirect talks as regional mediators push for a deal", n),
		Description: strings.Repeat("Delegations met for several hours and agreed to continue talks next week. ", 4),
		Content:     strings.Repeat("Officials familiar with the talks said both sides exchanged written proposals. ", 20),
		Author:      "Staff reporter",
		Language:    "en",
		Published:   at.Add(-20 * time.Minute),
		Fetched:     at,
	}
}

// window is one poll of a feed that shows its newest size items, the newest
// being number newest.
func window(src string, newest, size int, at time.Time) []store.NewItem {
	items := make([]store.NewItem, 0, size)
	for n := newest; n > newest-size && n >= 0; n-- {
		items = append(items, store.NewItem{Item: benchItem(src, n, at), Pending: true})
	}
	return items
}

func benchStore(b *testing.B) *Store {
	b.Helper()
	return openURL(b, newSchema(b))
}

// BenchmarkRecordPoll reports inserted items per second for the polls a
// running bot makes: a new source's first page, a feed of 50 that gained 2
// items since the last poll (the common case: mostly duplicates), and 8
// sources polled at once.
func BenchmarkRecordPoll(b *testing.B) {
	const size = 50
	b.Run("first-poll-50-new", func(b *testing.B) {
		s := benchStore(b)
		at := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
		inserted := 0
		for i := 0; b.Loop(); i++ {
			src := fmt.Sprintf("src%d", i)
			if err := s.EnsureSource(b.Context(), src, "https://"+src+".example/feed"); err != nil {
				b.Fatal(err)
			}
			got, err := s.RecordPoll(b.Context(), src, store.Poll{At: at, Items: window(src, size-1, size, at)})
			if err != nil {
				b.Fatal(err)
			}
			inserted += len(got)
		}
		b.ReportMetric(float64(inserted)/b.Elapsed().Seconds(), "items/s")
	})
	b.Run("steady-2-new-of-50", func(b *testing.B) {
		s := benchStore(b)
		if err := s.EnsureSource(b.Context(), "src", "https://src.example/feed"); err != nil {
			b.Fatal(err)
		}
		at := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
		if _, err := s.RecordPoll(b.Context(), "src", store.Poll{At: at, Items: window("src", size-1, size, at)}); err != nil {
			b.Fatal(err)
		}
		inserted, polled := 0, 0
		for i := 0; b.Loop(); i++ {
			at := at.Add(time.Duration(i+1) * 2 * time.Minute)
			got, err := s.RecordPoll(b.Context(), "src", store.Poll{At: at, Items: window("src", size-1+2*(i+1), size, at)})
			if err != nil {
				b.Fatal(err)
			}
			inserted += len(got)
			polled += size
		}
		b.ReportMetric(float64(inserted)/b.Elapsed().Seconds(), "items/s")
		b.ReportMetric(float64(polled)/b.Elapsed().Seconds(), "feed-items/s")
	})
	b.Run("parallel-8-sources-2-new-of-50", func(b *testing.B) {
		s := benchStore(b)
		for i := range 8 {
			src := fmt.Sprintf("src%d", i)
			if err := s.EnsureSource(b.Context(), src, "https://"+src+".example/feed"); err != nil {
				b.Fatal(err)
			}
		}
		const parallelism = 4 // × GOMAXPROCS goroutines, like that many pollers
		at := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
		goroutines := parallelism * runtime.GOMAXPROCS(0)
		for id := 1; id <= goroutines; id++ {
			src := fmt.Sprintf("src%d", id%8)
			if _, err := s.RecordPoll(b.Context(), src, store.Poll{At: at, Items: window(src, id*1_000_000+size-1, size, at)}); err != nil {
				b.Fatal(err)
			}
		}
		var next, inserted atomic.Int64
		b.SetParallelism(parallelism)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			id := int(next.Add(1))
			src := fmt.Sprintf("src%d", id%8)
			base := id * 1_000_000
			for i := 1; pb.Next(); i++ {
				got, err := s.RecordPoll(b.Context(), src, store.Poll{At: at, Items: window(src, base+size-1+2*i, size, at)})
				if err != nil {
					b.Error(err)
					return
				}
				inserted.Add(int64(len(got)))
			}
		})
		b.ReportMetric(float64(inserted.Load())/b.Elapsed().Seconds(), "items/s")
	})
}

// The story corpus: word frequencies follow Zipf's law like real text, and
// a few marker words occur at fixed rates so searches of known selectivity
// can be timed. Same generator and seed as store/sqlite's.
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

// fillStories writes n stories, each with one item, with COPY: CompleteItem
// per story would make setup take minutes. The rows are what CompleteItem
// writes; the search column computes itself.
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
	sources := []string{"reuters", "ap", "aljazeera", "bbc"}
	var items, stories, members, storyTopics [][]any
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
		pub := seen.Add(-20 * time.Minute)
		src := sources[i%4]
		link := fmt.Sprintf("https://%s.example/news/%d", src, i)
		title := strings.Join(head, " ")
		id := int64(i + 1)
		ts := []string{pick()}
		if t2 := pick(); t2 != ts[0] && rng.IntN(4) == 0 {
			ts = append(ts, t2)
		}
		items = append(items, []any{id, src, link, link, title, pub, seen, "done", `{"relevant":true}`})
		stories = append(stories, []any{id, title, strings.Join(summary, " "), link, pub, seen, seen, ts, []string{"talks"}})
		members = append(members, []any{id, id})
		for _, t := range ts {
			storyTopics = append(storyTopics, []any{t, seen, id})
		}
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, src := range sources {
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

// BenchmarkStories times the reads behind /latest and /topic on a store of
// 100,000 stories, reporting the 99th percentile beside the mean.
func BenchmarkStories(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("BRIEFBOT_BENCH_STORIES")); err == nil && v > 0 {
		n = v // CI's one-pass smoke run uses a small store
	}
	s := benchStore(b)
	if err := fillStories(b.Context(), s, n); err != nil {
		b.Fatalf("filling %d stories: %v", n, err)
	}
	if _, err := s.pool.Exec(b.Context(), `ANALYZE`); err != nil {
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
