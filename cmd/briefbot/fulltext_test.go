package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/source"
	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/sqlite"
	"github.com/briefbot/briefbot/story"
)

// A day replayed with saved article pages served locally: relevant items
// whose feed gives a teaser are summarized from their article, every kind
// of page that is not the article falls back to the teaser with its
// reason kept for /why, and an article slower than full_text_wait is
// edited into its story after the story was posted with the teaser.
func TestRunSummarizesArticlesAndFallsBack(t *testing.T) {
	page := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "..", "fulltext", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	slow := make(chan struct{})
	var (
		mu   sync.Mutex
		hits = map[string]int{}
	)
	pages := map[string][]byte{
		"/news/iran-talks": page("iran_talks.html"),
		"/news/close":      page("iran_talks.html"),
		"/news/paywall":    page("paywall_lead.html"),
		"/news/consent":    page("consent.html"),
		"/news/js":         page("jsshell.html"),
		"/news/mismatch":   page("mismatch.html"),
		"/news/french":     page("french.html"),
		"/private/memo":    page("iran_talks.html"),
		"/news/fordow":     page("iaea_fordow.html"),
		"/":                page("home.html"),
	}
	mux := http.NewServeMux()
	feed := &feedServer{}
	mux.Handle("/feed.xml", feed)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
			return
		case "/news/moved":
			http.Redirect(w, r, "/", http.StatusFound)
			return
		case "/news/fordow":
			select { // held past full_text_wait
			case <-slow:
			case <-r.Context().Done():
				return
			}
		}
		b, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(b)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	now := time.Now().UTC()
	type want struct {
		from, reason, summaryHas string
	}
	items := []struct {
		path, title string
		want        want
	}{
		{"/news/iran-talks", "Iran and US envoys hold fourth round of nuclear talks in Oman", want{store.FromArticle, "", "Albusaidi"}},
		// A close call on the teaser (score about 0.44 against the fitted
		// 0.41, inside fulltext.CloseMargin): the article's lead decides.
		{"/news/close", "Envoy in Muscat", want{store.FromArticle, "", "Albusaidi"}},
		{"/news/paywall", "Iran and Saudi Arabia agree to reopen embassies after talks in Baghdad", want{store.FromTeaser, "paywall", ""}},
		{"/news/consent", "Iraq's prime minister hosts Iranian and Saudi envoys for security talks", want{store.FromTeaser, "consent", ""}},
		{"/news/js", "Qatar mediates new round of Hamas and Israel ceasefire talks in Doha", want{store.FromTeaser, "javascript", ""}},
		{"/news/moved", "Egypt and Iran foreign ministers meet in Cairo to restore diplomatic ties", want{store.FromTeaser, "home_page", ""}},
		{"/news/mismatch", "Turkey's Erdogan calls Iran's Pezeshkian over Syria ceasefire diplomacy", want{store.FromTeaser, "mismatch", ""}},
		{"/news/french", "Oman hosts Iran and Britain for talks on detained nationals and sanctions", want{store.FromTeaser, "language", ""}},
		{"/private/memo", "Iran's Araghchi meets EU envoy in Geneva on nuclear sanctions snapback", want{store.FromTeaser, "robots", ""}},
		{"/news/gone", "UN envoy meets Houthi and Saudi negotiators in Muscat on Yemen truce", want{store.FromTeaser, "fetch", ""}},
	}
	var xml []string
	for i, it := range items {
		desc := "Diplomats met on " + now.Format("Monday") + ", officials said..."
		if it.path == "/news/close" {
			desc = "Sources said on " + now.Format("Monday") + "." // "diplomats met" would make it a clear call
		}
		xml = append(xml, fmt.Sprintf(`<item><guid>ft-%d</guid><title>%s</title><link>%s%s</link><description>%s</description><pubDate>%s</pubDate></item>`,
			i, it.title, srv.URL, it.path, desc, now.Add(-time.Duration(i)*time.Minute).Format(time.RFC1123Z)))
	}
	const slowTitle = "IAEA inspectors return to Iran's Fordow enrichment site after Grossi visit"
	xml = append(xml, fmt.Sprintf(`<item><guid>ft-slow</guid><title>%s</title><link>%s/news/fordow</link><description>The UN nuclear watchdog's inspectors went back to the site...</description><pubDate>%s</pubDate></item>`,
		slowTitle, srv.URL, now.Format(time.RFC1123Z)))
	feed.set(xml...)

	dbPath := filepath.Join(t.TempDir(), "bb.db")
	out, stop := runFor(t, fmt.Sprintf(`
log: {level: warn, format: json}
database: {path: %s}
admin: {listen: ""}
polling: {allow_private_networks: true, backfill: 20}
summarize: {full_text_wait: 300ms}
sources:
  - {name: wire, url: %s/feed.xml, language: en}
`, dbPath, srv.URL))
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	waitFor(t, "the slow item's story", func() bool { return strings.Contains(out.String(), "Fordow") })
	st, err := sqlite.Open(ctx, dbPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	// The slow story went out with the teaser; the article arrives now.
	slowItem, err := st.ItemByLink(ctx, srv.URL+"/news/fordow")
	if err != nil || slowItem.Decision == nil {
		t.Fatalf("slow item: %+v, %v", slowItem, err)
	}
	if strings.Contains(slowItem.Decision.Summary, "Grossi told reporters") {
		t.Fatalf("the slow item's first summary already has the article: %q", slowItem.Decision.Summary)
	}
	close(slow)
	waitFor(t, "the article's summary edited into the slow story", func() bool {
		s, err := st.Story(ctx, slowItem.Decision.StoryID)
		return err == nil && strings.Contains(s.Summary, "Grossi")
	})

	for _, it := range items {
		link := srv.URL + it.path
		si, err := st.ItemByLink(ctx, link)
		if err != nil || si.Decision == nil || !si.Decision.Relevant {
			t.Errorf("%s: not a relevant decided item: %+v %v", it.path, si.Decision, err)
			continue
		}
		a, ok, err := st.ItemArticle(ctx, link)
		if err != nil || !ok {
			t.Errorf("%s: no article record: %v", it.path, err)
			continue
		}
		if a.From != it.want.from || a.Reason != it.want.reason {
			t.Errorf("%s: from %s (%s: %s), want %s (%s)", it.path, a.From, a.Reason, a.Detail, it.want.from, it.want.reason)
		}
		if it.path == "/news/close" && !slices.Contains(si.Decision.Reasons, "read the article's lead (the teaser was a close call)") {
			t.Errorf("%s: the close call was not decided on the article: %v", it.path, si.Decision.Reasons)
		}
		sum := si.Decision.Summary
		if it.want.summaryHas != "" && !strings.Contains(sum, it.want.summaryHas) {
			t.Errorf("%s: summary not from the article: %q", it.path, sum)
		}
		if it.want.from == store.FromTeaser && !strings.Contains(sum, " met on ") {
			t.Errorf("%s: fallback summary is not the teaser's: %q", it.path, sum)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if hits["/private/memo"] != 0 {
		t.Error("a page robots.txt disallows was fetched")
	}
	if hits["/robots.txt"] != 1 {
		t.Errorf("robots.txt fetched %d times, want once", hits["/robots.txt"])
	}
	for p, n := range hits {
		if n > 1 && p != "/" {
			t.Errorf("%s fetched %d times, want once", p, n)
		}
	}
}

func TestFullTextModesPerSource(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		off  bool
		want map[string]bool // source → reads a teaser item's article
	}{
		{"default relevant", "sources: [{name: a, url: \"https://a.example/f\"}]", false, map[string]bool{"a": true}},
		{"never everywhere", "summarize: {full_text: never}\nsources: [{name: a, url: \"https://a.example/f\"}]", true, nil},
		{"never, one source on", "summarize: {full_text: never}\nsources: [{name: a, url: \"https://a.example/f\", full_text: true}, {name: b, url: \"https://b.example/f\"}]",
			false, map[string]bool{"a": true, "b": false}},
		{"relevant, one source off", "sources: [{name: a, url: \"https://a.example/f\", full_text: false}, {name: b, url: \"https://b.example/f\", full_text: always}]",
			false, map[string]bool{"a": false, "b": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse([]byte(tt.yaml), "t.yaml", nil)
			if err != nil {
				t.Fatal(err)
			}
			ft := newFullText(cfg, source.NewFetcher(source.Limits{}, nil), nil, nil, nil, slog.New(slog.DiscardHandler))
			if (ft == nil) != tt.off {
				t.Fatalf("reader built = %v, want %v", ft != nil, !tt.off)
			}
			for src, want := range tt.want {
				it := story.Item{Source: src, Link: "https://" + src + ".example/a", Title: "T", Description: "A teaser..."}
				if got := ft.wants(it); got != want {
					t.Errorf("source %s: wants = %v, want %v", src, got, want)
				}
			}
		})
	}
}
