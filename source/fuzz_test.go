package source

import (
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

// FuzzNormalize feeds arbitrary item fields through normalisation and
// checks the invariants every item must keep: UTC dates no later than the
// fetch, http(s)-only links, no HTML tags and collapsed whitespace in text,
// a non-empty unique key. Run: go test ./source -fuzz FuzzNormalize -fuzztime 10s
func FuzzNormalize(f *testing.F) {
	f.Add("Title &amp; <b>bold</b>", "<p>desc</p>", "https://a.example/x?utm_source=y#f", "guid", "Mon, 02 Jan 2006 15:04:05 -0700", "/rel")
	f.Add("&amp;lt;script&amp;gt;x", "", "javascript:alert(1)", "", "Seg, 24 Set 2018 19:42:40 -0300", "")
	f.Add("", "", "", "", "", "")
	f.Add("<<<>>>", "&#0;&#xD800;", "http://[::1]:80/", "same", "9999-12-31T23:59:59Z", "//evil.example/")
	f.Add("&amp;amp;amp;lt;i&amp;amp;amp;gt;deep", "\u200b\u00a0", "HTTP://A.EXAMPLE:80", "g", "2020/1/10 14:33:00", "mailto:x@y")
	fetched := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, title, desc, link, guid, date, link2 string) {
		var pub *time.Time
		if p, err := time.Parse(time.RFC3339, date); err == nil {
			pub = &p
		}
		feed := &gofeed.Feed{Items: []*gofeed.Item{
			{Title: title, Description: desc, Link: link, GUID: guid, Published: date, PublishedParsed: pub},
			{Title: desc, Content: title, Link: link2, GUID: guid, Updated: date},
			nil,
		}}
		items := Normalize(feed, Feed{Name: "fuzz", URL: "https://feeds.example.org/x.xml"}, "https://feeds.example.org/x.xml", fetched)
		checkInvariants(t, items, fetched)
	})
}

// FuzzParse checks that no input body makes Parse or Normalize panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte(smallFeed), "application/rss+xml")
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1","items":[{"id":"1","title":"x"}]}`), "")
	f.Add([]byte(`<?xml version="1.0" encoding="gb2312"?><rss><channel><item><title>x</title></item></channel></rss>`), "")
	f.Add([]byte("<html><body>x</body></html>"), "text/html")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		doc, err := Parse(body, contentType, "https://feeds.example.org/")
		if err != nil {
			return
		}
		fetched := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
		checkInvariants(t, Normalize(doc.Feed, Feed{Name: "fuzz"}, "https://feeds.example.org/", fetched), fetched)
	})
}

// stripHTMLCases are markup stripSimpleHTML must read itself (fast) or
// leave to the tokenizer; either way, FuzzStripHTML and
// TestStripSimpleHTMLAgrees hold it to the tokenizer's result.
var stripHTMLCases = []struct {
	in   string
	fast bool
}{
	{"plain &amp; simple", true},
	{`<p class="x">one</p><P>two<br/>three`, true},
	{`<a href="https://a.example/?q=1&amp;b=2" title='it > that'>link</a> &lt;b&gt;`, true},
	{`<a href=x>y</a><img src=a.png alt=b/>`, true},
	{"a < b and c<5 & d", true},
	{"<p\nclass=x\r\n>text\r\nmore\rend</p>", true},
	{`<div = x "y" z='w'>q</div>`, true},
	{"<!-- note -->after<!---->x<!-->y<!--->z<!-- a --!>b", true},
	{`<iframe src="v"><p>not text</p></iframe>after<noscript>no</NOSCRIPT >x<style>p{}</style>y`, true},
	{`<iframe src=v/>raw text follows`, false},
	{`<script>if (a<b) {}</script>x`, false},
	{`<svg><text>x</text></svg>y`, false},
	{`<title>t &amp; u</title>`, false},
	{"<!DOCTYPE html>x", false},
	{"<?xml x?>y", false},
	{"</ x>y</>z", false},
	{"<p>unterminated <b", false},
	{`<a href="unterminated>x`, false},
	{"<!-- unterminated", false},
	{"nul\x00byte", false},
	{"trailing <", false},
}

// FuzzStripHTML checks that the plain-tag fast path gives exactly the
// tokenizer's result whenever it takes the input.
// Run: go test ./source -run '^$' -fuzz FuzzStripHTML -fuzztime 60s
func FuzzStripHTML(f *testing.F) {
	for _, c := range stripHTMLCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if out, ok := stripSimpleHTML(s); ok {
			if want := stripHTMLTokens(s); out != want {
				t.Errorf("stripSimpleHTML(%q) = %q; the tokenizer gives %q", s, out, want)
			}
		}
	})
}
