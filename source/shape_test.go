package source

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Real feeds are far inside every bound: a tenth of each leaves room for
// feeds larger than any in testdata.
func TestShapeOfRealFeeds(t *testing.T) {
	for _, name := range realFeeds(t) {
		body, err := os.ReadFile(filepath.Join(feedsDir, name))
		if err != nil {
			t.Fatal(err)
		}
		s := measureShape(body)
		if s.depth > maxNesting/10 || s.tokens > maxTokens/10 || s.items > maxItems/10 {
			t.Errorf("%s: shape %+v is within a tenth of the bounds", name, s)
		}
		if err := checkShape(body); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestMeasureShape(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want shape
	}{
		{"nesting and self-closing", `<?xml version="1.0"?><rss><channel><item><a/><b></b></item></channel></rss>`,
			shape{depth: 4, tokens: 5, items: 1}},
		{"attributes, quoted '>' and namespaces", `<feed a="1" b='x>y' c = "2"><atom:entry k="v"/></feed>`,
			shape{depth: 1, tokens: 6, items: 1}},
		{"comments, CDATA and processing instructions hide markup", `<rss><!-- <a><b><c> --><![CDATA[<x><y>]]><?pi <z>?></rss>`,
			shape{depth: 1, tokens: 1}},
		{"doctype internal subset", `<!DOCTYPE r [<!ENTITY a "<x>">]><r/>`, shape{tokens: 1}},
		{"HTML void elements do not nest", `<rss><item><description><br><img src="x"><BR></description></item></rss>`,
			shape{depth: 3, tokens: 7, items: 1}},
		{"JSON", `{"items":[{"id":"1","tags":["a","b"]},{"id":"2","s":"[{,\"}"}]}`,
			shape{depth: 4, tokens: 9, items: 2}},
	}
	for _, tt := range tests {
		if got := measureShape([]byte(tt.doc)); got != tt.want {
			t.Errorf("%s: shape = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// Documents beyond the bounds are refused before gofeed builds them, with
// a reason that says what was wrong.
func TestParseRefusesHostileShapes(t *testing.T) {
	const rssHead = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>`
	item := `<item><title>t</title><link>https://e.example/a</link></item>`
	tests := []struct {
		name, doc, reason string
	}{
		{"deep XML", rssHead + strings.Repeat("<a>", maxNesting+1), "nest more than 256 deep"},
		{"deep XML in an item", rssHead + "<item>" + strings.Repeat("<x:a>", 300) + strings.Repeat("</x:a>", 300) + "</item></channel></rss>", "nest more than"},
		{"deep JSON", `{"version":"https://jsonfeed.org/version/1.1","items":[` + strings.Repeat("[", 300) + `]}`, "nest more than"},
		{"many elements", rssHead + strings.Repeat("<x/>", maxTokens) + "</channel></rss>", "more than 200000 elements and attributes"},
		{"many attributes", rssHead + "<x" + strings.Repeat(` a=""`, maxTokens) + "/></channel></rss>", "elements and attributes"},
		{"many JSON values", `{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","tags":[` + strings.Repeat(`"a",`, maxTokens) + `"a"]}]}`, "elements and attributes"},
		{"many items", rssHead + strings.Repeat(item, maxItems+1) + "</channel></rss>", "more than 5000 items"},
		{"many JSON items", `{"version":"https://jsonfeed.org/version/1.1","items":[` + strings.Repeat(`{"id":"1"},`, maxItems) + `{"id":"2"}]}`, "more than 5000 items"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.doc), "", "https://e.example/feed")
		if !errors.Is(err, ErrMalformedFeed) || !strings.Contains(Reason(err), tt.reason) {
			t.Errorf("%s: err = %v (reason %q), want ErrMalformedFeed saying %q", tt.name, err, Reason(err), tt.reason)
		}
	}
	// Within the bounds the same shapes parse.
	if doc, err := Parse([]byte(rssHead+strings.Repeat(item, 100)+"</channel></rss>"), "", ""); err != nil || len(doc.Feed.Items) != 100 {
		t.Errorf("100 items: err = %v", err)
	}
}

// An HTML page full of unclosed tags is still reported as an HTML page.
func TestParseDeepHTMLIsNotAFeed(t *testing.T) {
	page := `<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>` +
		strings.Repeat("<p>text", 400) + "</body></html>"
	_, err := Parse([]byte(page), "text/html", "https://e.example/")
	if !errors.Is(err, ErrNotFeed) || !strings.Contains(Reason(err), "HTML page") {
		t.Errorf("err = %v, want ErrNotFeed for an HTML page", err)
	}
}
