package source

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  Plain   title\n\twith  spaces ", "Plain title with spaces"},
		{"<p>One</p><p>Two<br/>Three</p>", "One Two Three"},
		{"Tom &amp; Jerry &quot;live&quot; &#8212; &#x2014; caf&eacute;", `Tom & Jerry "live" — — café`},
		{"&lt;p&gt;Escaped &lt;b&gt;HTML&lt;/b&gt;&lt;/p&gt;", "Escaped HTML"},
		{"Double &amp;quot;escaped&amp;quot; &amp;amp; more", `Double "escaped" & more`},
		{"&amp;lt;i&amp;gt;twice escaped tags&amp;lt;/i&amp;gt;", "twice escaped tags"},
		{"Before<script>alert('x')</script><style>p{}</style>After", "Before After"},
		{`<div class="feedflare"><a href="x"><img src="y"/></a></div>Text`, "Text"},
		{"a < b and c > d", "a < b and c > d"},
		{"AT&T profits", "AT&T profits"},
		{"zero\u200bwidth\u00a0nbsp", "zerowidth nbsp"},
		{"می\u200cخواهم", "می\u200cخواهم"}, // ZWNJ kept for Persian
		{"1930ft<sup>2</sup> &#x0024;4300", "1930ft2 $4300"},
		{"<![CDATA[x]]>Text<!-- comment -->", "Text"},
	}
	for _, tt := range tests {
		if got := PlainText(tt.in); got != tt.want {
			t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCanonicalLink(t *testing.T) {
	base, _ := url.Parse("https://news.example.org/feeds/world.xml")
	tests := []struct{ in, want string }{
		{"https://news.example.org/a?utm_source=rss&utm_medium=feed", "https://news.example.org/a"},
		{"https://news.example.org/a?id=7&fbclid=XYZ&gclid=1&page=2#comments", "https://news.example.org/a?id=7&page=2"},
		{"https://www.bbc.co.uk/news/world-1?at_medium=RSS&at_campaign=rss", "https://www.bbc.co.uk/news/world-1"},
		{"HTTPS://News.Example.ORG:443/A", "https://news.example.org/A"},
		{"http://news.example.org:80", "http://news.example.org/"},
		{"/story/1", "https://news.example.org/story/1"},
		{"../other/2", "https://news.example.org/other/2"},
		{"https://user:pass@news.example.org/x", "https://news.example.org/x"},
		{"javascript:alert(1)", ""},
		{"mailto:editor@example.org", ""},
		{"ftp://news.example.org/file", ""},
		{"data:text/html,<b>x</b>", ""},
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		if got := CanonicalLink(tt.in, base); got != tt.want {
			t.Errorf("CanonicalLink(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func feedOf(items ...*gofeed.Item) *gofeed.Feed { return &gofeed.Feed{Items: items} }

func tp(t time.Time) *time.Time { return &t }

func TestNormalizeIdentity(t *testing.T) {
	fetched := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	feed := Feed{Name: "src", URL: "https://news.example.org/feed.xml"}

	t.Run("unique GUIDs are keys", func(t *testing.T) {
		items := Normalize(feedOf(
			&gofeed.Item{GUID: " g1 ", Link: "/a", Title: "A"},
			&gofeed.Item{GUID: "g2", Link: "/b", Title: "B"},
		), feed, feed.URL, fetched)
		if len(items) != 2 || items[0].Key != "g1" || items[1].Key != "g2" {
			t.Fatalf("items = %+v", items)
		}
		if items[0].Link != "https://news.example.org/a" {
			t.Errorf("relative link not resolved: %q", items[0].Link)
		}
	})

	t.Run("a GUID repeated for every item falls back to links", func(t *testing.T) {
		items := Normalize(feedOf(
			&gofeed.Item{GUID: "same", Link: "https://news.example.org/1", Title: "One"},
			&gofeed.Item{GUID: "same", Link: "https://news.example.org/2", Title: "Two"},
			&gofeed.Item{GUID: "same", Title: "Three, no link"},
		), feed, feed.URL, fetched)
		if len(items) != 3 {
			t.Fatalf("got %d items, want 3 distinct", len(items))
		}
		if items[0].Key != "https://news.example.org/1" || items[1].Key != "https://news.example.org/2" {
			t.Errorf("keys = %q, %q", items[0].Key, items[1].Key)
		}
		if items[2].Key == items[0].Key || items[2].Key == "same" || items[2].Key == "" {
			t.Errorf("link-less item key = %q", items[2].Key)
		}
	})

	t.Run("without GUID or link the key is a stable hash", func(t *testing.T) {
		it := &gofeed.Item{Title: "Untitled", Description: "text"}
		a := Normalize(feedOf(it), feed, feed.URL, fetched)
		b := Normalize(feedOf(it), feed, feed.URL, fetched.Add(time.Hour))
		if a[0].Key != b[0].Key || a[0].Key[:7] != "sha256:" {
			t.Errorf("hash keys %q and %q should be equal across fetches", a[0].Key, b[0].Key)
		}
	})

	t.Run("repeats within a document are dropped", func(t *testing.T) {
		items := Normalize(feedOf(
			&gofeed.Item{GUID: "a", Link: "https://news.example.org/x?utm_source=1", Title: "X"},
			&gofeed.Item{GUID: "b", Link: "https://news.example.org/x", Title: "X again"},
			&gofeed.Item{Title: ""}, // nothing to show
		), feed, feed.URL, fetched)
		if len(items) != 1 {
			t.Errorf("got %d items, want 1", len(items))
		}
	})
}

func TestNormalizeDatesAndText(t *testing.T) {
	fetched := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	tehran := time.FixedZone("IRST", 3*3600+1800)
	feed := Feed{Name: "src", URL: "https://news.example.org/feed.xml", Language: "EN_us"}
	items := Normalize(feedOf(
		&gofeed.Item{GUID: "1", Title: "zoned", PublishedParsed: tp(time.Date(2025, 5, 1, 10, 0, 0, 0, tehran))},
		&gofeed.Item{GUID: "2", Title: "future", PublishedParsed: tp(fetched.Add(48 * time.Hour))},
		&gofeed.Item{GUID: "3", Title: "missing"},
		&gofeed.Item{GUID: "4", Title: "updated only", UpdatedParsed: tp(fetched.Add(-time.Hour))},
		&gofeed.Item{GUID: "5", Title: "portuguese", Published: "Qua, 30 Abr 2025 09:00:00 -0300"},
		&gofeed.Item{GUID: "6", Title: "<b>Bold</b> &amp; <i>it</i>", Description: "",
			Content: "<p>Long body text</p><p>more</p>"},
	), feed, feed.URL, fetched)
	want := []time.Time{
		time.Date(2025, 5, 1, 6, 30, 0, 0, time.UTC),
		fetched, fetched,
		fetched.Add(-time.Hour),
		time.Date(2025, 4, 30, 12, 0, 0, 0, time.UTC),
	}
	for i, w := range want {
		if !items[i].Published.Equal(w) || items[i].Published.Location() != time.UTC {
			t.Errorf("item %q published = %v, want %v UTC", items[i].Title, items[i].Published, w)
		}
	}
	if items[5].Title != "Bold & it" || items[5].Description != "Long body text more" || items[5].Content != "" {
		t.Errorf("text item = %+v", items[5])
	}
	if items[0].Language != "en-us" {
		t.Errorf("language = %q", items[0].Language)
	}
	checkInvariants(t, items, fetched)
}

func TestParseLooseDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"Seg, 24 Set 2018 19:42:40 -0300", time.Date(2018, 9, 24, 22, 42, 40, 0, time.UTC), true},
		{"2020/1/10 14:33:00", time.Date(2020, 1, 10, 14, 33, 0, 0, time.UTC), true},
		{"lun., 3 févr. 2025 08:00:00 +0100", time.Date(2025, 2, 3, 7, 0, 0, 0, time.UTC), true},
		{"Mi, 12 Mär 2025 10:00:00 GMT", time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC), true},
		{"12.03.2025 10:00", time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC), true},
		{"yesterday", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := parseLooseDate(tt.in)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("parseLooseDate(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// The plain-tag fast path of stripHTML takes the markup it should, and
// agrees with the tokenizer on it and on every text field of the real
// feeds (see FuzzStripHTML for arbitrary input).
func TestStripSimpleHTMLAgrees(t *testing.T) {
	check := func(what, s string) (fast bool) {
		t.Helper()
		out, ok := stripSimpleHTML(s)
		if want := stripHTMLTokens(s); ok && out != want {
			t.Errorf("%s: stripSimpleHTML(%.80q) = %.80q; the tokenizer gives %.80q", what, s, out, want)
		}
		return ok
	}
	for _, c := range stripHTMLCases {
		if fast := check("case", c.in); fast != c.fast {
			t.Errorf("stripSimpleHTML(%q) took it: %v, want %v", c.in, fast, c.fast)
		}
	}
	fields, fast := 0, 0
	for _, name := range realFeeds(t) {
		body, err := os.ReadFile(filepath.Join(feedsDir, name))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := Parse(body, "", "https://feeds.example.org/x")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, it := range doc.Feed.Items {
			for _, s := range []string{it.Title, it.Description, it.Content} {
				if strings.ContainsAny(s, "<&") {
					fields++
					if check(name, s) {
						fast++
					}
				}
			}
		}
	}
	// Most real markup is plain tags; if this falls, the fast path has
	// stopped taking it and normalising costs the tokenizer again.
	if fast*10 < fields*9 {
		t.Errorf("the fast path took %d of %d real fields with markup; want at least 90%%", fast, fields)
	}
	t.Logf("fast path: %d of %d real fields with markup", fast, fields)
}
