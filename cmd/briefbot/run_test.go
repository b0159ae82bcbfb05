package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/sqlite"
)

// syncBuffer is a bytes.Buffer safe for the bot's writer and the test's reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const rssTemplate = `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Test Wire</title><link>https://wire.example/</link>
%s
</channel></rss>`

func rssItem(guid, title, desc string, pub time.Time) string {
	return fmt.Sprintf(`<item><guid>%s</guid><title>%s</title><link>https://wire.example/%s</link><description>%s</description><pubDate>%s</pubDate></item>`,
		guid, title, guid, desc, pub.Format(time.RFC1123Z))
}

// feedServer serves a feed whose items the test can change.
type feedServer struct {
	mu    sync.Mutex
	items []string
	hits  int
}

func (f *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hits++
	w.Header().Set("Content-Type", "application/rss+xml")
	fmt.Fprintf(w, rssTemplate, strings.Join(f.items, "\n"))
}

func (f *feedServer) set(items ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = items
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runFor starts the run command's main loop with the YAML config doc and
// returns its stdout and a stop function that cancels it (as SIGINT would)
// and returns its exit code. The polling interval is shortened below the
// 30s a user may configure, so the test does not wait for the schedule.
func runFor(t *testing.T, doc string) (*syncBuffer, func() int) {
	t.Helper()
	cfg, err := config.Parse([]byte(doc), "test.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Polling.Interval = 200 * time.Millisecond
	out, errOut := &syncBuffer{}, &syncBuffer{}
	e := &env{stdin: strings.NewReader(""), stdout: out, stderr: errOut, getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		code := 0
		if err := runBot(ctx, e, cfg, newLogger(errOut, "debug", "text")); err != nil {
			fmt.Fprintln(errOut, err)
			code = 1
		}
		done <- code
	}()
	return out, func() int {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Logf("stderr:\n%s", errOut.String())
			}
			return code
		case <-time.After(30 * time.Second):
			t.Fatal("run did not stop within 30s of cancellation")
			return -1
		}
	}
}

func TestRunPrintsRelevantStoriesOnceAcrossRestarts(t *testing.T) {
	now := time.Now().UTC()
	feed := &feedServer{}
	feed.set(
		rssItem("old-1", "Old story already there", "Before briefbot started.", now.Add(-2*time.Hour)),
	)
	srv := httptest.NewServer(feed)
	defer srv.Close()

	dir := t.TempDir()
	cfg := fmt.Sprintf(`
log: {level: warn, format: json}
database: {path: %s}
admin: {listen: ""}
polling: {interval: 30s, allow_private_networks: true}
sources:
  - name: wire
    url: %s/feed.xml
    outlet: Test Wire
`, filepath.Join(dir, "bb.db"), srv.URL)

	out, stop := runFor(t, cfg)
	// A source's polls run one after another, so a second request means
	// the first poll was recorded (stopping during the first fetch would
	// leave the source unprimed).
	waitFor(t, "the first poll", func() bool { feed.mu.Lock(); defer feed.mu.Unlock(); return feed.hits >= 2 })
	if code := stop(); code != 0 {
		t.Fatalf("run exited %d", code)
	}
	if strings.Contains(out.String(), "Old story") {
		t.Fatalf("the first poll's backlog was printed:\n%s", out)
	}

	// New items appear: one on-topic, one not.
	feed.set(
		rssItem("old-1", "Old story already there", "Before briefbot started.", now.Add(-2*time.Hour)),
		rssItem("new-1", "Iran and US hold nuclear talks in Oman as mediators push for deal",
			"Iranian Foreign Minister Abbas Araghchi met US envoy Steve Witkoff in Muscat for indirect negotiations over Tehran's nuclear programme.", now),
		rssItem("new-2", "Local football club wins cup final", "The home side won 2-1 after extra time.", now),
	)
	out, stop = runFor(t, cfg)
	waitFor(t, "the on-topic briefing", func() bool { return strings.Contains(out.String(), "nuclear talks in Oman") })
	if code := stop(); code != 0 {
		t.Fatalf("run exited %d", code)
	}
	got := out.String()
	if strings.Contains(got, "football") {
		t.Errorf("an off-topic item was printed:\n%s", got)
	}
	if !strings.Contains(got, "https://wire.example/new-1") {
		t.Errorf("the briefing lacks its link:\n%s", got)
	}

	// Restart with the same feed: nothing is printed again.
	out, stop = runFor(t, cfg)
	hits := func() int { feed.mu.Lock(); defer feed.mu.Unlock(); return feed.hits }
	before := hits()
	waitFor(t, "a poll after restart", func() bool { return hits() > before })
	if code := stop(); code != 0 {
		t.Fatalf("run exited %d", code)
	}
	if strings.Contains(out.String(), "nuclear talks") {
		t.Errorf("a story was printed again after restart:\n%s", out)
	}
}

func TestRunRejectsBadConfigBeforeDoingAnything(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "briefbot.yaml")
	db := filepath.Join(dir, "bb.db")
	if err := os.WriteFile(path, []byte("database: {path: "+db+"}\nsources:\n  - name: x\n    url: htp://x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	if code := execute(context.Background(), e, []string{"run", "--config", path}); code == 0 {
		t.Fatal("run accepted a bad config")
	}
	if !strings.Contains(errOut.String(), `sources[0].url: "htp://x" is not an http(s) URL`) {
		t.Errorf("error does not name the field: %s", errOut.String())
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("the database was created despite the bad config")
	}
}

// Every command's help is printed once, on stdout, with an example.
func TestEveryCommandHasHelp(t *testing.T) {
	for name := range commands {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
			if code := execute(context.Background(), e, []string{name, "--help"}); code != 0 {
				t.Fatalf("%s --help exited %d", name, code)
			}
			if strings.Count(out.String(), "Usage: briefbot "+name) != 1 || !strings.Contains(out.String(), "\nExample:\n  briefbot") {
				t.Errorf("%s --help printed:\n%s", name, out.String())
			}
			if errOut.Len() != 0 {
				t.Errorf("%s --help wrote to stderr too:\n%s", name, errOut.String())
			}
		})
	}
	for name := range helpExtra {
		if commands[name] == nil {
			t.Errorf("helpExtra has an example for %q, which is no command", name)
		}
	}
}

func TestHelpNamesWhatUsersNeed(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"run", "--help"}, []string{"DISCORD_TOKEN"}},
		// Each subcommand with its own flags.
		{[]string{"eval", "--help"}, []string{"Subcommands:", "topics: ", "-threshold float", "summaries: ", "-backend string", "stories: ", "-window duration"}},
		{[]string{"eval", "topics", "--help"}, []string{"-labels value", "-terms"}},
		{[]string{"help", "run"}, []string{"DISCORD_TOKEN", "Example:"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
			if code := execute(context.Background(), e, tt.args); code != 0 {
				t.Fatalf("exited %d: %s", code, errOut.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			if errOut.Len() != 0 {
				t.Errorf("help wrote to stderr:\n%s", errOut.String())
			}
		})
	}
}

func TestRunFetchesFullTextForTeasersWhenEnabled(t *testing.T) {
	now := time.Now().UTC()
	mux := http.NewServeMux()
	feed := &feedServer{}
	mux.Handle("/feed.xml", feed)
	var articleHits int
	var mu sync.Mutex
	mux.HandleFunc("/article", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		articleHits++
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><head><title>Envoys meet in Muscat</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Envoys meet in Muscat</h1>
<p>Iranian and American negotiators held a fourth round of indirect talks in Muscat on Sunday, with Omani Foreign Minister Badr Albusaidi carrying messages between the two delegations over several hours.</p>
<p>Both sides described the discussions as serious and said technical teams would meet again next week to work on the details of a possible agreement on uranium enrichment limits and sanctions relief.</p>
<p>Diplomats said the main sticking point remained whether Tehran could keep enriching uranium at home, a demand Iranian officials have repeatedly called non-negotiable in public statements.</p>
</article><footer>Subscribe to our newsletter</footer></body></html>`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	teaser := fmt.Sprintf(`<item><guid>t-1</guid><title>Iran and US envoys hold fourth round of nuclear talks in Oman</title><link>%s/article</link><description>Negotiators met in Muscat...</description><pubDate>%s</pubDate></item>`,
		srv.URL, now.Format(time.RFC1123Z))

	dir := t.TempDir()
	cfg := fmt.Sprintf(`
log: {level: warn, format: json}
database: {path: %s}
admin: {listen: ""}
polling: {allow_private_networks: true, backfill: 5}
sources:
  - name: wire
    url: %s/feed.xml
    full_text: true
`, filepath.Join(dir, "bb.db"), srv.URL)
	feed.set(teaser)
	out, stop := runFor(t, cfg)
	waitFor(t, "the briefing", func() bool { return strings.Contains(out.String(), "fourth round of nuclear talks") })
	if code := stop(); code != 0 {
		t.Fatalf("run exited %d", code)
	}
	if !strings.Contains(out.String(), "Omani Foreign Minister") {
		t.Errorf("the summary was not written from the article's full text:\n%s", out)
	}
	mu.Lock()
	defer mu.Unlock()
	if articleHits != 1 {
		t.Errorf("article fetched %d times; want 1", articleHits)
	}
	// /topic's search reads the kept article: a word of its last
	// paragraph, which neither the headline nor the summary has.
	db, err := sqlite.Open(t.Context(), filepath.Join(dir, "bb.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	found, err := db.Stories(t.Context(), store.StoryQuery{Text: "non-negotiable", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 {
		t.Fatalf("searching a word only in the article found %d stories, want the one", len(found))
	}
	if text := strings.ToLower(found[0].Headline + " " + found[0].Summary); strings.Contains(text, "negotiable") {
		t.Fatalf("the story's own text has the word, so this search proves nothing: %q", text)
	}
}

func TestFeedsFromConfig(t *testing.T) {
	builtin := len(feedsFromConfig(config.Defaults()))
	tests := []struct {
		name string
		yaml string
		want func(t *testing.T, names map[string]string)
		n    int
	}{
		{"built-ins when none listed", "", nil, builtin},
		{"listed sources replace built-ins", "sources:\n  - {name: mine, url: https://a.example/feed}\n", func(t *testing.T, n map[string]string) {
			if n["mine"] != "https://a.example/feed" {
				t.Errorf("got %v", n)
			}
		}, 1},
		{"include keeps built-ins and replaces by name", "include_default_sources: true\nsources:\n  - {name: aljazeera, url: https://mirror.example/aj}\n  - {name: extra, url: https://b.example/feed}\n", func(t *testing.T, n map[string]string) {
			if n["aljazeera"] != "https://mirror.example/aj" || n["extra"] == "" {
				t.Errorf("got %v", n)
			}
		}, builtin + 1},
		{"disabled switches a built-in off", "include_default_sources: true\nsources:\n  - {name: aljazeera, url: https://x.example/f, disabled: true}\n", func(t *testing.T, n map[string]string) {
			if _, ok := n["aljazeera"]; ok {
				t.Errorf("disabled built-in still watched: %v", n)
			}
		}, builtin - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse([]byte(tt.yaml), "t.yaml", nil)
			if err != nil {
				t.Fatal(err)
			}
			feeds := feedsFromConfig(cfg)
			names := map[string]string{}
			for _, f := range feeds {
				names[f.Name] = f.URL
			}
			if len(feeds) != tt.n || len(names) != tt.n {
				t.Errorf("%d feeds (%d names); want %d", len(feeds), len(names), tt.n)
			}
			if tt.want != nil {
				tt.want(t, names)
			}
		})
	}
}

func TestSourcesHealthy(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bb.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.EnsureSource(ctx, "wire", "https://wire.example/feed"); err != nil {
		t.Fatal(err)
	}
	started := time.Now().Add(-time.Hour)
	if err := sourcesHealthy(ctx, st, time.Now(), 2*time.Minute); err != nil {
		t.Errorf("unhealthy during the start-up grace: %v", err)
	}
	if err := sourcesHealthy(ctx, st, started, 2*time.Minute); err == nil {
		t.Error("healthy although no source was ever polled after an hour")
	}
	if _, err := st.RecordPoll(ctx, "wire", store.Poll{At: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	if err := sourcesHealthy(ctx, st, started, 2*time.Minute); err != nil {
		t.Errorf("unhealthy right after a successful poll: %v", err)
	}
	cfg, err := config.Parse([]byte("sources:\n  - {name: slow, url: https://s.example/f, interval: 3h}\n"), "t.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := slowestInterval(cfg, feedsFromConfig(cfg)); got != 3*time.Hour {
		t.Errorf("slowestInterval = %s; want 3h from the per-source interval", got)
	}
}

func TestPerSourceMetrics(t *testing.T) {
	for _, tt := range []struct {
		name      string
		yaml      string
		perSource bool
	}{
		{"defaults", "", true},
		{"option off", "admin: {per_source_metrics: false}\n", false},
		{"admin off, nothing serves the series", "admin: {listen: \"off\"}\n", false},
		{"admin off, option on", "admin: {listen: \"off\", per_source_metrics: true}\n", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse([]byte(tt.yaml+"sources:\n  - name: a\n    url: https://example.org/feed.xml\n"), "test.yaml", nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := perSourceMetrics(cfg); got != tt.perSource {
				t.Errorf("perSourceMetrics = %v, want %v", got, tt.perSource)
			}
		})
	}
}
