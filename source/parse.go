package source

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// Document is a parsed feed plus what WebSub needs from it.
type Document struct {
	Feed *gofeed.Feed
	// Hubs are the WebSub hubs the feed advertises (atom:link rel="hub",
	// JSON Feed "hubs").
	Hubs []string
	// Self is the feed's own canonical URL (rel="self"), the WebSub topic.
	Self string
}

// Parse parses a fetched body as RSS 0.9x/1.0/2.0, Atom or JSON Feed.
// contentType is the response's Content-Type (its charset is used when the
// document does not declare one) and baseURL is where the body came from,
// used only to resolve a feed link found in an HTML page for the error.
// An HTML page, an empty body or garbage returns an error wrapping
// ErrNotFeed; a recognised but broken document wraps ErrMalformedFeed.
func Parse(body []byte, contentType, baseURL string) (*Document, error) {
	body = toUTF8(body, contentType)
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, newError(ErrNotFeed, "not a feed: the response was empty", nil)
	}
	if err := checkShape(body); err != nil {
		if looksLikeHTML(body, contentType) {
			return nil, notFeedError(body, contentType, baseURL)
		}
		return nil, err
	}
	p := gofeed.NewParser()
	// The original is kept only to read atom:link rel="hub", which the
	// universal Feed drops; it is a pointer, not a copy.
	p.KeepOriginalFeed = true
	// Items' images are never read, and looking for one in an RSS item
	// without an explicit image parses its description and content as
	// HTML documents: a third of the allocations of polling at 10,000
	// feeds (BenchmarkScale's heap profile).
	p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	f, err := p.Parse(bytes.NewReader(body))
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, notFeedError(body, contentType, baseURL)
		}
		return nil, newError(ErrMalformedFeed, "feed is malformed: "+shortErr(err), err)
	}
	doc := &Document{Feed: f, Self: strings.TrimSpace(f.FeedLink)}
	doc.Hubs = feedHubs(f, body)
	return doc, nil
}

// feedHubs finds WebSub hub links in whichever format the feed came in.
func feedHubs(f *gofeed.Feed, body []byte) []string {
	var hubs []string
	switch orig := f.OriginalFeed().(type) {
	case *atom.Feed:
		for _, l := range orig.Links {
			if strings.EqualFold(l.Rel, "hub") && l.Href != "" {
				hubs = append(hubs, strings.TrimSpace(l.Href))
			}
		}
	}
	// RSS carries them as atom:link extensions.
	for _, l := range f.Extensions["atom"]["link"] {
		if strings.EqualFold(l.Attrs["rel"], "hub") && l.Attrs["href"] != "" {
			hubs = append(hubs, strings.TrimSpace(l.Attrs["href"]))
		}
	}
	// gofeed does not read JSON Feed's "hubs"; decode just that, and only
	// when the key is present, to keep the common path cheap.
	if f.FeedType == "json" && bytes.Contains(body, []byte(`"hubs"`)) {
		var jf struct {
			Hubs []struct {
				Type string `json:"type"`
				URL  string `json:"url"`
			} `json:"hubs"`
		}
		if json.Unmarshal(body, &jf) == nil {
			for _, h := range jf.Hubs {
				if strings.EqualFold(h.Type, "websub") || strings.EqualFold(h.Type, "pubsubhubbub") {
					hubs = append(hubs, strings.TrimSpace(h.URL))
				}
			}
		}
	}
	return hubs
}

var xmlDeclEncoding = regexp.MustCompile(`^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// toUTF8 returns body as UTF-8 where it can tell the encoding:
//   - an XML encoding declaration wins and is left to gofeed's charset reader;
//   - else the Content-Type charset;
//   - else, if the bytes are not valid UTF-8, windows-1252 (what undeclared
//     legacy feeds almost always are).
//
// UTF-16 byte order marks are honoured. Invalid sequences in documents that
// claim UTF-8 become U+FFFD instead of failing the whole feed.
func toUTF8(body []byte, contentType string) []byte {
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		body = body[3:]
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}), bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		label := "utf-16be"
		if body[0] == 0xFF {
			label = "utf-16le"
		}
		if out, err := transcode(body[2:], label); err == nil {
			return dropXMLDeclEncoding(out)
		}
	}
	head := body[:min(len(body), 512)]
	if m := xmlDeclEncoding.FindSubmatch(head); m != nil {
		if isUTF8Label(string(m[1])) {
			return validUTF8(body)
		}
		if _, name := charset.Lookup(string(m[1])); name != "" {
			return body // gofeed's decoder converts declared encodings itself
		}
		// An encoding nobody knows: treat the document as undeclared.
		body = dropXMLDeclEncoding(body)
	}
	if label := charsetParam(contentType); label != "" && !isUTF8Label(label) {
		if out, err := transcode(body, label); err == nil {
			return out
		}
	}
	if utf8.Valid(body) {
		return body
	}
	if out, err := transcode(body, "windows-1252"); err == nil {
		return out
	}
	return validUTF8(body)
}

func charsetParam(contentType string) string {
	if contentType == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(params["charset"])
}

func isUTF8Label(label string) bool {
	l := strings.ToLower(strings.TrimSpace(label))
	return l == "utf-8" || l == "utf8" || l == "unicode-1-1-utf-8" || l == "us-ascii" || l == "ascii"
}

func transcode(b []byte, label string) ([]byte, error) {
	r, err := charset.NewReaderLabel(label, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func validUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	return bytes.ToValidUTF8(b, []byte("\uFFFD"))
}

// dropXMLDeclEncoding rewrites the declaration's encoding to UTF-8 after
// the body has been transcoded, so the decoder does not convert it twice.
func dropXMLDeclEncoding(b []byte) []byte {
	head := b[:min(len(b), 512)]
	loc := xmlDeclEncoding.FindSubmatchIndex(head)
	if loc == nil {
		return b
	}
	out := make([]byte, 0, len(b))
	out = append(out, b[:loc[2]]...)
	out = append(out, "UTF-8"...)
	return append(out, b[loc[3]:]...)
}

// notFeedError explains what came back instead of a feed.
func notFeedError(body []byte, contentType, baseURL string) error {
	if looksLikeHTML(body, contentType) {
		reason := "not a feed: got an HTML page"
		if alt := htmlFeedLink(body, baseURL); alt != "" {
			reason += " (the page links to a feed at " + alt + ")"
		}
		return newError(ErrNotFeed, reason, nil)
	}
	return newError(ErrNotFeed, "not a feed: the content is not RSS, Atom or JSON Feed", nil)
}

func looksLikeHTML(body []byte, contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "text/html" || mt == "application/xhtml+xml" {
		return true
	}
	head := bytes.ToLower(body[:min(len(body), 1024)])
	for _, marker := range []string{"<!doctype html", "<html", "<head", "<body"} {
		if bytes.Contains(head, []byte(marker)) {
			return true
		}
	}
	return false
}

// htmlFeedLink returns the first <link rel="alternate"> to a feed in an
// HTML page, so the error can tell the user which URL to configure.
func htmlFeedLink(body []byte, baseURL string) string {
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) == "body" {
				return ""
			}
			if string(name) != "link" || !hasAttr {
				continue
			}
			var rel, typ, href string
			for {
				k, v, more := z.TagAttr()
				switch string(k) {
				case "rel":
					rel = strings.ToLower(string(v))
				case "type":
					typ = strings.ToLower(string(v))
				case "href":
					href = string(v)
				}
				if !more {
					break
				}
			}
			if !strings.Contains(rel, "alternate") || href == "" {
				continue
			}
			switch typ {
			case "application/rss+xml", "application/atom+xml", "application/feed+json", "application/json":
				if base, err := url.Parse(baseURL); err == nil {
					if ref, err := base.Parse(href); err == nil {
						return ref.String()
					}
				}
				return href
			}
		}
	}
}

// shortErr trims parser errors to something that fits a status line.
func shortErr(err error) string {
	s := err.Error()
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}
