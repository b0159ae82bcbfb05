package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/sqlite"
	"github.com/briefbot/briefbot/story"
)

// benchStories is the store size: 100,000 (the figure the README reports)
// unless BRIEFBOT_BENCH_STORIES says otherwise; CI's one-pass smoke run of
// every benchmark uses a small store so as not to spend minutes filling it.
var benchStories = benchSize(100_000)

func benchSize(def int) int {
	if v, err := strconv.Atoi(os.Getenv("BRIEFBOT_BENCH_STORIES")); err == nil && v > 0 {
		return v
	}
	return def
}

const (
	// benchFillVersion names the cached database's content; change it when
	// fillBenchStore changes.
	benchFillVersion = 1
)

// BenchmarkInteractionsHTTP measures slash commands over the HTTP
// interactions endpoint, signed like Discord's, against a SQLite store of
// 100,000 stories: requests per second with GOMAXPROCS concurrent clients,
// and latency percentiles. PING (signature check and JSON, no store) is the
// baseline; the others also report their p99 and throughput relative to it.
//
// The store is built once through the store's public API (a few minutes)
// and cached under $TMPDIR/briefbot-bench; each run works on a copy.
func BenchmarkInteractionsHTTP(b *testing.B) {
	st := benchStore(b)
	e := newEnvWithStore(b, st, func(o *bot.Options) {
		o.ApplicationID = discordtest.AppID
		o.Log = slog.New(slog.DiscardHandler)
		o.Observe = nil
		o.DeferAfter = time.Second
	})
	sig := newSigner(b)
	ts := httptest.NewServer(e.bot.InteractionsHandler(sig.pub))
	b.Cleanup(ts.Close)
	client := ts.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64

	var ids atomic.Int64
	command := func(name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) func() []byte {
		return func() []byte {
			in := e.srv.CommandInteraction(name, opts...)
			in.ID = fmt.Sprint(1_400_000_000_000_000_000 + ids.Add(1))
			in.Token = "tok" + in.ID
			in.AppID = discordtest.AppID
			in.Version = 1
			raw, err := json.Marshal(in)
			if err != nil {
				panic(err)
			}
			return raw
		}
	}
	cases := []struct {
		name string
		body func() []byte
		want discordgo.InteractionResponseType
	}{
		{"ping", func() []byte {
			return []byte(`{"type":1,"id":"1","application_id":"900000000000000001","token":"t","version":1}`)
		}, discordgo.InteractionResponsePong},
		{"latest", command("latest"), discordgo.InteractionResponseChannelMessageWithSource},
		{"latest-10", command("latest", opt("count", 10)), discordgo.InteractionResponseChannelMessageWithSource},
		{"topic-name", command("topic", opt("name", topicGaza)), discordgo.InteractionResponseChannelMessageWithSource},
		{"topic-search-common", command("topic", opt("name", "ceasefire talks")), discordgo.InteractionResponseChannelMessageWithSource},
		{"topic-search-rare", command("topic", opt("name", "hormuz")), discordgo.InteractionResponseChannelMessageWithSource},
	}
	var baseRate, baseP99 float64
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			var (
				mu       sync.Mutex
				lat      []time.Duration
				deferred atomic.Int64
			)
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					body := tc.body()
					req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, ts.URL, bytes.NewReader(body))
					if err != nil {
						b.Error(err)
						return
					}
					sig.sign(req, body, t0)
					t := time.Now()
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					out, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					mine = append(mine, time.Since(t))
					var r struct {
						Type discordgo.InteractionResponseType `json:"type"`
					}
					if resp.StatusCode != http.StatusOK || json.Unmarshal(out, &r) != nil {
						b.Errorf("status %d: %s", resp.StatusCode, out)
						return
					}
					switch r.Type {
					case tc.want:
					case discordgo.InteractionResponseDeferredChannelMessageWithSource:
						deferred.Add(1)
					default:
						b.Errorf("response type %d, want %d: %s", r.Type, tc.want, out)
						return
					}
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			elapsed := time.Since(start)
			if len(lat) == 0 {
				return
			}
			slices.Sort(lat)
			pct := func(p float64) float64 {
				return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
			}
			rate := float64(len(lat)) / elapsed.Seconds()
			b.ReportMetric(rate, "req/s")
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			b.ReportMetric(float64(deferred.Load())/float64(len(lat)), "deferred/op")
			if tc.name == "ping" {
				baseRate, baseP99 = rate, pct(0.99)
			} else if baseRate > 0 {
				b.ReportMetric(pct(0.99)/baseP99, "p99/ping")
				b.ReportMetric(rate/baseRate, "rate/ping")
			}
		})
	}
}

// benchStore returns a copy of the cached 100,000-story database, building
// the cache first if needed.
func benchStore(b *testing.B) *sqlite.Store {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "briefbot-bench")
	cached := filepath.Join(dir, fmt.Sprintf("bot-stories-%d-v%d.db", benchStories, benchFillVersion))
	if _, err := os.Stat(cached); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		b.Logf("building %s: %d stories through the store API, once", cached, benchStories)
		start := time.Now()
		tmp := cached + fmt.Sprintf(".%d.tmp", os.Getpid())
		if err := fillBenchStore(b.Context(), tmp, benchStories); err != nil {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(tmp + suffix)
			}
			b.Fatal(err)
		}
		if err := os.Rename(tmp, cached); err != nil {
			b.Fatal(err)
		}
		b.Logf("built in %s", time.Since(start).Round(time.Second))
	}
	path := filepath.Join(b.TempDir(), "briefbot.db")
	if err := copyFile(cached, path); err != nil {
		b.Fatal(err)
	}
	st, err := sqlite.Open(b.Context(), path, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	return st
}

// fillBenchStore writes n one-item stories, one every 5 minutes before t0,
// with Zipf-distributed words like real text and a few marker words at
// known rates: "talks" (20%), "ceasefire" (8%), "hormuz" (0.5%).
func fillBenchStore(ctx context.Context, path string, n int) error {
	st, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rng, 1.1, 1, 20_000)
	words := func(k int) []string {
		out := make([]string, k)
		for i := range out {
			out[i] = fmt.Sprintf("w%d", zipf.Uint64())
		}
		for _, m := range []struct {
			word string
			rate float64
		}{{"talks", 0.20}, {"ceasefire", 0.08}, {"hormuz", 0.005}} {
			if rng.Float64() < m.rate {
				out[rng.IntN(k)] = m.word
			}
		}
		return out
	}
	sources := []string{"reuters", "aljazeera", "bbc", "guardian"}
	for _, s := range sources {
		if err := st.EnsureSource(ctx, s, sourceURL(s)); err != nil {
			return err
		}
	}
	const batch = 1000
	for first := 0; first < n; first += batch {
		src := sources[(first/batch)%len(sources)]
		var items []store.NewItem
		var seen []time.Time
		for i := first; i < min(n, first+batch); i++ {
			at := t0.Add(-time.Duration(n-i) * 5 * time.Minute)
			key := fmt.Sprint("s", i)
			items = append(items, store.NewItem{Pending: true, Item: story.Item{
				Source: src, Key: key, Link: "https://www." + src + ".example/news/" + key,
				Title: strings.Join(words(10), " "), Published: at.Add(-20 * time.Minute), Fetched: at,
			}})
			seen = append(seen, at)
		}
		ins, err := st.RecordPoll(ctx, src, store.Poll{At: seen[len(seen)-1], Items: items})
		if err != nil {
			return err
		}
		for i, it := range ins {
			topics := []string{topicDiplomacy}
			switch x := rng.Float64(); {
			case x < 0.3:
				topics = []string{topicGaza}
			case x < 0.4:
				topics = []string{topicDiplomacy, topicGaza}
			}
			d := store.Decision{Relevant: true, Score: 0.8, Topics: topics, Subtopics: []string{"talks"},
				Reasons: []string{"matched"}, Summary: strings.Join(words(40), " ") + ".", At: seen[i]}
			if err := st.CompleteItem(ctx, it.ID, d); err != nil {
				return err
			}
		}
	}
	return st.Close()
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
