package source

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
)

func TestParseRejectsNonFeeds(t *testing.T) {
	tests := []struct {
		name, body, contentType string
		kind                    error
		reason                  string
	}{
		{"html page", `<!DOCTYPE html><html><head><title>News</title>
			<link rel="alternate" type="application/rss+xml" href="/rss.xml"></head><body><p>Hi</p></body></html>`,
			"text/html; charset=utf-8", ErrNotFeed,
			"not a feed: got an HTML page (the page links to a feed at https://news.example.org/rss.xml)"},
		{"html without content type", "\n\n<html><body>Just a page</body></html>", "", ErrNotFeed,
			"not a feed: got an HTML page"},
		{"garbage", "\x00\x01binary\xff\xfe junk", "application/octet-stream", ErrNotFeed,
			"not a feed: the content is not RSS, Atom or JSON Feed"},
		{"plain text", "Service temporarily unavailable", "text/plain", ErrNotFeed,
			"not a feed: the content is not RSS, Atom or JSON Feed"},
		{"other xml", `<?xml version="1.0"?><sitemap><url>x</url></sitemap>`, "application/xml", ErrNotFeed,
			"not a feed: the content is not RSS, Atom or JSON Feed"},
		{"empty", "  \n", "application/rss+xml", ErrNotFeed, "not a feed: the response was empty"},
		{"broken json feed", `{"version": "https://jsonfeed.org/version/1", "items": [`, "application/feed+json",
			ErrMalformedFeed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.body), tt.contentType, "https://news.example.org/page")
			if !errors.Is(err, tt.kind) {
				t.Fatalf("err = %v, want %v", err, tt.kind)
			}
			if tt.reason != "" && Reason(err) != tt.reason {
				t.Errorf("Reason = %q, want %q", Reason(err), tt.reason)
			}
			if tt.reason == "" && !strings.HasPrefix(Reason(err), "feed is malformed: ") {
				t.Errorf("Reason = %q, want a malformed-feed reason", Reason(err))
			}
		})
	}
}

const encTitle = "Café déjà vu – Ünïcödé"

func encodeWith(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encoding %q: %v", s, err)
	}
	return b
}

func TestParseEncodings(t *testing.T) {
	rss := func(decl, title string) string {
		return decl + `<rss version="2.0"><channel><title>x</title><item><title>` + title +
			`</title><link>https://news.example.org/1</link></item></channel></rss>`
	}
	latin := "Café déjà vu Ünïcödé" // no en dash: ISO-8859-1 lacks it
	tests := []struct {
		name, contentType string
		body              []byte
		want              string
	}{
		{"utf-8", "", []byte(rss(`<?xml version="1.0" encoding="UTF-8"?>`, encTitle)), encTitle},
		{"utf-8 with BOM", "", append([]byte{0xEF, 0xBB, 0xBF}, rss(`<?xml version="1.0" encoding="utf-8"?>`, encTitle)...), encTitle},
		{"iso-8859-1 declared", "", encodeWith(t, charmap.ISO8859_1, rss(`<?xml version="1.0" encoding="ISO-8859-1"?>`, latin)), latin},
		{"windows-1251 declared", "", encodeWith(t, charmap.Windows1251, rss(`<?xml version="1.0" encoding="windows-1251"?>`, "Новости дня")), "Новости дня"},
		{"shift_jis declared", "", encodeWith(t, japanese.ShiftJIS, rss(`<?xml version="1.0" encoding="Shift_JIS"?>`, "ニュース速報")), "ニュース速報"},
		{"iso-8859-1 from header only", "application/rss+xml; charset=ISO-8859-1",
			encodeWith(t, charmap.ISO8859_1, rss(`<?xml version="1.0"?>`, latin)), latin},
		{"undeclared windows-1252", "", encodeWith(t, charmap.Windows1252, rss("", encTitle)), encTitle},
		{"utf-16le with BOM", "", encodeWith(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM),
			rss(`<?xml version="1.0" encoding="UTF-16"?>`, encTitle)), encTitle},
		{"declaration wins over header", "text/xml; charset=iso-8859-1",
			[]byte(rss(`<?xml version="1.0" encoding="UTF-8"?>`, encTitle)), encTitle},
		{"unknown declared encoding", "", []byte(rss(`<?xml version="1.0" encoding="x-no-such"?>`, encTitle)), encTitle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse(tt.body, tt.contentType, "https://news.example.org/feed")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(doc.Feed.Items) != 1 {
				t.Fatalf("%d items", len(doc.Feed.Items))
			}
			if got := doc.Feed.Items[0].Title; got != tt.want {
				t.Errorf("title = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseFormatsAndHubs(t *testing.T) {
	tests := []struct {
		name, body string
		feedType   string
		hubs       []string
		self       string
	}{
		{"rss 0.91", `<rss version="0.91"><channel><title>x</title><item><title>A</title><link>http://a.example/1</link></item></channel></rss>`, "rss", nil, ""},
		{"rss 1.0", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
			<channel><title>x</title></channel><item><title>A</title><link>http://a.example/1</link></item></rdf:RDF>`, "rss", nil, ""},
		{"rss 2.0 with hub", `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>x</title>
			<atom:link rel="hub" href="https://hub.example.net/"/><atom:link rel="self" href="https://a.example/feed"/>
			<item><title>A</title><link>http://a.example/1</link></item></channel></rss>`, "rss",
			[]string{"https://hub.example.net/"}, "https://a.example/feed"},
		{"atom with hub", `<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
			<link rel="hub" href="https://hub.example.net/"/><link rel="self" href="https://a.example/atom"/>
			<entry><title>A</title><id>urn:1</id><link href="http://a.example/1"/><updated>2024-01-01T00:00:00Z</updated></entry></feed>`,
			"atom", []string{"https://hub.example.net/"}, "https://a.example/atom"},
		{"json feed with hub", `{"version":"https://jsonfeed.org/version/1.1","title":"x","feed_url":"https://a.example/feed.json",
			"hubs":[{"type":"WebSub","url":"https://hub.example.net/"}],
			"items":[{"id":"1","url":"http://a.example/1","title":"A"}]}`, "json",
			[]string{"https://hub.example.net/"}, "https://a.example/feed.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse([]byte(tt.body), "", "https://a.example/")
			if err != nil {
				t.Fatal(err)
			}
			if doc.Feed.FeedType != tt.feedType || len(doc.Feed.Items) != 1 {
				t.Errorf("type %q with %d items", doc.Feed.FeedType, len(doc.Feed.Items))
			}
			if strings.Join(doc.Hubs, ",") != strings.Join(tt.hubs, ",") || doc.Self != tt.self {
				t.Errorf("hubs=%v self=%q, want %v %q", doc.Hubs, doc.Self, tt.hubs, tt.self)
			}
		})
	}
}
