package fulltext

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/source"
	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

// page reads a saved page of testdata; article.html is the source
// package's article fixture.
func page(t *testing.T, name string) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if name == "article.html" {
		path = filepath.Join("..", "source", "testdata", "fulltext", name)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// site serves saved pages by path, robots.txt as given ("" for a 404), and
// counts requests per path.
type site struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func newSite(t *testing.T, robots string, pages map[string][]byte, redirects map[string]string) *site {
	s := &site{hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		if to, ok := redirects[r.URL.Path]; ok {
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
		if r.URL.Path == "/robots.txt" {
			switch robots {
			case "":
				http.NotFound(w, r)
			case "500":
				http.Error(w, "down", http.StatusInternalServerError)
			default:
				w.Write([]byte(robots))
			}
			return
		}
		b, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *site) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func fetcher() *source.Fetcher {
	return source.NewFetcher(source.Limits{AllowPrivateNetworks: true, Timeout: 5 * time.Second}, nil)
}

const headline = "Envoys agree on a water-sharing framework after talks in Muscat"

func item(link string) story.Item {
	return story.Item{ID: 1, Source: "harbour", Link: link, Title: headline, Language: "en",
		Description: "Negotiators from three riverside states agreed a framework on shared water."}
}

// Every kind of page that is not the item's article falls back to the
// teaser with its own reason; the article itself is used.
func TestReadFallsBackByReason(t *testing.T) {
	pages := map[string][]byte{
		"/news/article":      page(t, "article.html"),
		"/news/paywall-lead": page(t, "paywall_lead.html"),
		"/news/paywall-flag": page(t, "paywall_flag.html"),
		"/news/consent":      page(t, "consent.html"),
		"/news/js":           page(t, "jsshell.html"),
		"/":                  page(t, "home.html"),
		"/news/mismatch":     page(t, "mismatch.html"),
		"/news/french":       page(t, "french.html"),
		"/private/article":   page(t, "article.html"),
	}
	srv := newSite(t, "User-agent: *\nDisallow: /private/\n", pages, map[string]string{"/news/moved": "/"})
	counts := map[string]int{}
	var mu sync.Mutex
	r := New(Options{Fetcher: fetcher(), Count: func(reason string) { mu.Lock(); counts[reason]++; mu.Unlock() }})
	tests := []struct {
		path, reason string
		why          string
	}{
		{"/news/article", ReasonArticle, "summary from: article, "},
		{"/news/paywall-lead", ReasonPaywall, "summary from: teaser — the page is behind a subscription wall"},
		{"/news/paywall-flag", ReasonPaywall, "subscription wall"},
		{"/news/consent", ReasonConsent, "summary from: teaser — the page is a cookie or consent notice"},
		{"/news/js", ReasonJavaScript, "needs JavaScript"},
		{"/news/moved", ReasonHomePage, "redirects to the site's home page"},
		{"/news/mismatch", ReasonMismatch, "does not match the item's headline"},
		{"/news/french", ReasonLanguage, "another language"},
		{"/private/article", ReasonRobots, "summary from: teaser — robots.txt disallows article pages on this host"},
		{"/news/gone", ReasonFetch, "the article page could not be read: HTTP 404"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			a := r.Read(t.Context(), item(srv.URL+tt.path))
			got := a.Reason
			if a.From == store.FromArticle {
				got = ReasonArticle
			}
			if got != tt.reason {
				t.Fatalf("reason = %q (%s), want %q", got, a.Detail, tt.reason)
			}
			if why := Why(a); !strings.Contains(why, tt.why) {
				t.Errorf("Why = %q, want it to contain %q", why, tt.why)
			}
			if tt.reason == ReasonArticle && (a.Words < 150 || !strings.HasPrefix(a.Text, "Negotiators from three states")) {
				t.Errorf("article: %d words, text starts %.60q", a.Words, a.Text)
			}
			if tt.reason != ReasonArticle && a.Text != "" {
				t.Errorf("a fallback carries text: %.60q", a.Text)
			}
		})
	}
	if srv.count("/private/article") != 0 {
		t.Error("a page robots.txt disallows was fetched")
	}
	if n := srv.count("/robots.txt"); n != 1 {
		t.Errorf("robots.txt fetched %d times, want once for the host", n)
	}
	if counts[ReasonArticle] != 1 || counts[ReasonPaywall] != 2 || counts[ReasonRobots] != 1 {
		t.Errorf("metric counts = %v", counts)
	}
}

// A link is read once, whichever item asks and however often.
func TestReadOncePerLink(t *testing.T) {
	srv := newSite(t, "", map[string][]byte{"/a": page(t, "article.html")}, nil)
	r := New(Options{Fetcher: fetcher()})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if a := r.Read(t.Context(), item(srv.URL+"/a")); a.From != store.FromArticle {
				t.Errorf("from %s: %s", a.From, a.Detail)
			}
		})
	}
	wg.Wait()
	if n := srv.count("/a"); n != 1 {
		t.Errorf("page fetched %d times, want 1", n)
	}
}

// robots.txt that cannot be read (5xx, or an unreachable host) counts as
// a refusal, at once and without fetching the article.
func TestRobotsUnreachableRefuses(t *testing.T) {
	srv := newSite(t, "500", map[string][]byte{"/a": page(t, "article.html")}, nil)
	r := New(Options{Fetcher: fetcher()})
	a := r.Read(t.Context(), item(srv.URL+"/a"))
	if a.Reason != ReasonRobots || !strings.Contains(a.Detail, "robots.txt could not be read (HTTP 500") {
		t.Errorf("got %+v", a)
	}
	if srv.count("/a") != 0 {
		t.Error("the article was fetched although robots.txt could not be read")
	}
	// Reserved names are never looked up.
	if a := r.Read(t.Context(), item("https://news.example/a")); a.Reason != ReasonFetch || !strings.Contains(a.Detail, "reserved name") {
		t.Errorf("reserved name: %+v", a)
	}
	// A host that does not answer at all: a closed port.
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	a = r.Read(t.Context(), item(closed.URL+"/a"))
	if a.Reason != ReasonRobots {
		t.Errorf("closed port: %+v", a)
	}
}

func TestRobotsRules(t *testing.T) {
	body := `# comment
User-agent: Googlebot
Disallow: /

User-agent: briefbot
User-agent: otherbot
Disallow: /private/
Allow: /private/open$
Disallow: /*.pdf$
Disallow: /search?

User-agent: *
Disallow: /
`
	r := parseRobots(body, "briefbot")
	for path, want := range map[string]bool{
		"/news/a":               true,
		"/private/x":            false,
		"/private/open":         true,
		"/private/open/more":    false,
		"/files/report.pdf":     false,
		"/files/report.pdf?x=1": true,
		"/search?q=iran":        false,
	} {
		if got := r.allowed(path); got != want {
			t.Errorf("allowed(%q) = %v, want %v", path, got, want)
		}
	}
	if parseRobots(body, "unknownbot").allowed("/news/a") {
		t.Error("the * group's Disallow: / was not applied to another agent")
	}
	if !parseRobots("User-agent: *\nDisallow:\n", "briefbot").allowed("/a") {
		t.Error("an empty Disallow refused a page")
	}
}

// slotsFunc adapts a function to Slots.
type slotsFunc func(ctx context.Context, rawURL string) (func(), error)

func (f slotsFunc) Acquire(ctx context.Context, rawURL string) (func(), error) { return f(ctx, rawURL) }

// Article pages and robots.txt go through the poller's per-host and
// global slots (issue 14.10): while a poll holds the host's slot, no
// article request reaches it.
func TestReadTakesThePollersSlots(t *testing.T) {
	srv := newSite(t, "", map[string][]byte{"/a": page(t, "article.html")}, nil)
	poller := source.NewPoller(fetcher(), nil, nil, source.PollerOptions{Concurrency: 1}, nil)
	var taken atomic.Int64
	slots := slotsFunc(func(ctx context.Context, rawURL string) (func(), error) {
		taken.Add(1)
		return poller.Acquire(ctx, rawURL)
	})
	r := New(Options{Fetcher: fetcher(), Slots: slots})

	release, err := poller.Acquire(t.Context(), srv.URL+"/feed.xml") // a poll of a feed on the same host
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	a := r.Read(ctx, item(srv.URL+"/a"))
	cancel()
	if a.From != store.FromTeaser || srv.count("/robots.txt")+srv.count("/a") != 0 {
		t.Fatalf("while the host's slot was held: %+v, %d requests", a, srv.count("/robots.txt")+srv.count("/a"))
	}
	release()

	if a := r.Read(t.Context(), item(srv.URL+"/a")); a.From != store.FromArticle {
		t.Fatalf("after release: %+v", a)
	}
	if taken.Load() < 3 { // robots.txt attempt, robots.txt, page
		t.Errorf("slots taken %d times, want one per request", taken.Load())
	}
}

// Results are kept in the store and reused by a new Reader (a restart).
func TestReadUsesTheStore(t *testing.T) {
	srv := newSite(t, "", map[string][]byte{"/a": page(t, "article.html")}, nil)
	st := &memStore{m: map[string]store.ItemArticle{}}
	if a := New(Options{Fetcher: fetcher(), Store: st}).Read(t.Context(), item(srv.URL+"/a")); a.From != store.FromArticle {
		t.Fatalf("%+v", a)
	}
	a := New(Options{Fetcher: fetcher(), Store: st}).Read(t.Context(), item(srv.URL+"/a"))
	if a.From != store.FromArticle || srv.count("/a") != 1 {
		t.Errorf("after restart: %+v, page fetched %d times", a, srv.count("/a"))
	}
}

type memStore struct {
	mu sync.Mutex
	m  map[string]store.ItemArticle
}

func (s *memStore) SaveItemArticle(_ context.Context, a store.ItemArticle) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[a.Link] = a
	return nil
}

func (s *memStore) ItemArticle(_ context.Context, link string) (store.ItemArticle, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.m[link]
	return a, ok, nil
}
