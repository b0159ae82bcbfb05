package source

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/article"
	"github.com/briefbot/briefbot/story"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "fulltext", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pageServer serves body with the given Content-Type at every path.
func pageServer(t *testing.T, contentType string, body []byte) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		} else {
			w.Header()["Content-Type"] = nil // stop net/http from sniffing one
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// checkGolden compares got with testdata/fulltext/name; -update rewrites it.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "fulltext", name)
	if *update {
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden (run go test ./source -run TestArticle -update to create it): %v", err)
	}
	if got != strings.TrimSuffix(string(want), "\n") {
		t.Errorf("text differs from %s (run with -update and review the diff):\n%s", path, got)
	}
}

// A real-looking news page: the story's paragraphs come out as plain
// text, and the page furniture around them does not.
func TestArticleExtractsMainText(t *testing.T) {
	page := readFixture(t, "article.html")
	var gotUA, gotAccept atomic.Value
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA.Store(r.Header.Get("User-Agent"))
		gotAccept.Store(r.Header.Get("Accept"))
		if r.URL.Path == "/s/abc" { // a shortener-style hop
			http.Redirect(w, r, srv.URL+"/2025/03/14/water-talks", http.StatusMovedPermanently)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	defer srv.Close()

	a, err := testFetcher(t, Limits{UserAgent: UserAgent("1.2.3")}).Article(context.Background(), srv.URL+"/s/abc")
	if err != nil {
		t.Fatal(err)
	}
	if a.URL != srv.URL+"/2025/03/14/water-talks" {
		t.Errorf("URL = %q, want the final URL after the redirect", a.URL)
	}
	if a.Title != "Envoys agree on a water-sharing framework after talks in Muscat" {
		t.Errorf("Title = %q", a.Title)
	}
	if a.Byline != "Samira Nasser" {
		t.Errorf("Byline = %q", a.Byline)
	}
	if ua := gotUA.Load(); ua != "briefbot/1.2.3 (+https://github.com/briefbot/briefbot)" {
		t.Errorf("User-Agent = %q", ua)
	}
	if acc := gotAccept.Load().(string); !strings.HasPrefix(acc, "text/html") {
		t.Errorf("Accept = %q, want HTML first", acc)
	}
	checkGolden(t, "article.txt", a.Text)

	for _, junk := range []string{
		"cookies", "Accept all", // consent banner
		"World", "Sport", "Search", // navigation
		"Share on", "Copy link", // share tools
		"Photograph:", "Delegates meet", "half-empty", "reservoir on the upper river", // captions
		"Sign up", "Subscribe", "morning briefing", // newsletter promos
		"Related", "Farmers count the cost", // related links
		"Privacy policy", "All rights reserved", // footer
		"gtag", "dataLayer", // scripts
	} {
		if strings.Contains(a.Text, junk) {
			t.Errorf("page furniture %q leaked into the text", junk)
		}
	}
	if strings.ContainsAny(a.Text, "<>") || strings.Contains(a.Text, "&quot;") {
		t.Errorf("text carries markup or entities:\n%s", a.Text)
	}
	paras := strings.Split(a.Text, "\n\n")
	if len(paras) != 7 {
		t.Errorf("got %d paragraphs, want the story's 7", len(paras))
	}
	for i, p := range paras {
		if p == "" || strings.Contains(p, "\n") || strings.TrimSpace(p) != p {
			t.Errorf("paragraph %d is not one trimmed line: %q", i, p)
		}
	}
}

// The charset declared only in a <meta> tag is honoured.
func TestArticleMetaCharset(t *testing.T) {
	srv := pageServer(t, "text/html", readFixture(t, "latin1.html"))
	a, err := testFetcher(t, Limits{}).Article(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Reprise des pourparlers à Genève" {
		t.Errorf("Title = %q", a.Title)
	}
	checkGolden(t, "latin1.txt", a.Text)
}

// Servers that send no useful Content-Type get their body sniffed.
func TestArticleSniffsUnlabelledHTML(t *testing.T) {
	for _, ct := range []string{"", "application/octet-stream", "text/html;;;broken"} {
		srv := pageServer(t, ct, readFixture(t, "article.html"))
		a, err := testFetcher(t, Limits{}).Article(context.Background(), srv.URL)
		if err != nil {
			t.Errorf("Content-Type %q: %v", ct, err)
			continue
		}
		if !strings.HasPrefix(a.Text, "Negotiators from three states") {
			t.Errorf("Content-Type %q: text starts %.40q", ct, a.Text)
		}
	}
}

func TestArticleErrorsHaveReasons(t *testing.T) {
	pdf := []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n")
	tests := []struct {
		name    string
		handler http.HandlerFunc
		kind    error
		reason  string
	}{
		{"pdf", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/pdf")
			w.Write(pdf)
		}, ErrNotArticle, "not an article: got application/pdf"},
		{"json", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Write([]byte(`{"status":"ok"}`))
		}, ErrNotArticle, "not an article: got application/json"},
		{"unlabelled pdf", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(pdf)
		}, ErrNotArticle, "not an article: the page is not HTML"},
		{"paywall", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write(readFixture(t, "paywall.html"))
		}, ErrNotArticle, "no readable text found"},
		{"empty page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
		}, ErrNotArticle, "no readable text found"},
		{"pathologically large DOM", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html><body>" + strings.Repeat("<i>x</i>", article.MaxElements)))
		}, ErrNotArticle, "no readable text found: the page has over 100000 elements"},
		{"403", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "forbidden", http.StatusForbidden)
		}, ErrHTTPStatus, "HTTP 403 Forbidden"},
		{"404", http.NotFound, ErrHTTPStatus, "HTTP 404 Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			_, err := testFetcher(t, Limits{}).Article(context.Background(), srv.URL)
			if !errors.Is(err, tt.kind) {
				t.Fatalf("err = %v, want %v", err, tt.kind)
			}
			if got := Reason(err); got != tt.reason {
				t.Errorf("Reason = %q, want %q", got, tt.reason)
			}
		})
	}
}

// The same limits as feeds: a page that never ends is cut off at the body
// limit, early, and a redirect loop at the redirect limit.
func TestArticleLimits(t *testing.T) {
	checkAbortsEarly(t, "text/html", []byte("<p>All work and no play makes a long page.</p>\n"), func(f *Fetcher, url string) error {
		_, err := f.Article(context.Background(), url)
		return err
	})

	// A gzip bomb counts decompressed bytes against the same limit.
	bomb := gzipBytes(t, append([]byte("<html><body><p>"), make([]byte, 16<<20)...))
	bombSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	}))
	defer bombSrv.Close()
	if _, err := testFetcher(t, Limits{MaxBodyBytes: 1 << 20}).Article(context.Background(), bombSrv.URL); !errors.Is(err, ErrTooLarge) {
		t.Errorf("gzip bomb: err = %v, want ErrTooLarge", err)
	}

	_, err := testFetcher(t, Limits{}).Article(context.Background(), redirectChain(t, 6).URL+"/hop/0")
	if !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("6 redirects: err = %v, want ErrTooManyRedirects", err)
	}
}

func TestArticleTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // hang until the client gives up or the test ends
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	_, err := testFetcher(t, Limits{Timeout: 200 * time.Millisecond}).Article(context.Background(), srv.URL)
	if !errors.Is(err, ErrTimeout) || Reason(err) != "timed out after 200ms" {
		t.Fatalf("err = %v (%q), want ErrTimeout", err, Reason(err))
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := testFetcher(t, Limits{}).Article(ctx, srv.URL); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v, want context.Canceled", err)
	}
}

// The address guard covers article links, which come from feeds and are
// as untrusted as any redirect.
func TestArticleGuard(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the guarded fetcher reached a loopback server")
	}))
	defer srv.Close()
	_, err := NewFetcher(Limits{}, testLogger(t)).Article(context.Background(), srv.URL)
	if !errors.Is(err, ErrPrivateNetwork) {
		t.Errorf("loopback: err = %v, want ErrPrivateNetwork", err)
	}
	for _, u := range []string{"file:///etc/passwd", "ftp://example.org/a.html", "http://localhost/a"} {
		if _, err := NewFetcher(Limits{}, testLogger(t)).Article(context.Background(), u); err == nil {
			t.Errorf("Article(%q) succeeded; want it refused", u)
		}
	}
}

func TestArticleGuardRefusesRedirectToPrivate(t *testing.T) {
	ln := listenSecondLoopback(t)
	private := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the redirect reached the private server")
	}))
	private.Listener = ln
	private.Start()
	defer private.Close()
	public := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, private.URL+"/article", http.StatusFound)
	}))
	defer public.Close()

	// 127.0.0.1 stands in for a public address; 127.0.0.2 is refused.
	onlyDotTwo := func(ip netip.Addr) bool { return ip == netip.MustParseAddr("127.0.0.2") }
	_, err := newFetcher(Limits{}, testLogger(t), onlyDotTwo).Article(context.Background(), public.URL)
	if !errors.Is(err, ErrPrivateNetwork) {
		t.Fatalf("err = %v, want ErrPrivateNetwork", err)
	}
}

func TestNeedsFullText(t *testing.T) {
	words := func(n int) string { return strings.TrimSpace(strings.Repeat("word ", n)) }
	const link = "https://news.example.org/a"
	tests := []struct {
		name string
		it   story.Item
		want bool
	}{
		{"no link", story.Item{Title: "T"}, false},
		{"title only", story.Item{Link: link, Title: "T"}, true},
		{"one-sentence description", story.Item{Link: link, Description: "Talks resume in Vienna on Monday."}, true},
		{"59-word description", story.Item{Link: link, Description: words(59) + "."}, true},
		{"60-word description", story.Item{Link: link, Description: words(60) + "."}, false},
		{"long description cut with ellipsis", story.Item{Link: link, Description: words(80) + "..."}, true},
		{"unicode ellipsis", story.Item{Link: link, Description: words(80) + "…"}, true},
		{"WordPress excerpt", story.Item{Link: link, Description: words(80) + " […]"}, true},
		{"more link", story.Item{Link: link, Description: words(80) + " (more…)"}, true},
		{"read more", story.Item{Link: link, Description: words(80) + ". Read more »"}, true},
		{"continue reading", story.Item{Link: link, Description: words(80) + ". Continue reading →"}, true},
		{"read the full story", story.Item{Link: link, Description: words(80) + ". Read the full story:"}, true},
		{"word ending like a marker", story.Item{Link: link, Description: words(80) + " and the rain will spread on"}, false},
		{"full content", story.Item{Link: link, Description: "Short teaser.", Content: words(300) + "."}, false},
		{"content cut short", story.Item{Link: link, Description: "Short teaser.", Content: words(120) + " Continue reading..."}, true},
		{"short content", story.Item{Link: link, Description: "Teaser.", Content: words(40) + "."}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NeedsFullText(tt.it); got != tt.want {
				t.Errorf("NeedsFullText = %v, want %v", got, tt.want)
			}
		})
	}
}

// BenchmarkExtractArticle measures decoding and readability on a typical
// page, without the network.

func BenchmarkExtractArticle(b *testing.B) {
	page := readFixture(b, "article.html")
	p := Page{URL: "https://news.example.org/2025/03/14/water-talks", ContentType: "text/html; charset=utf-8", Body: page}
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if _, err := ExtractArticle(p); err != nil {
			b.Fatal(err)
		}
	}
}
