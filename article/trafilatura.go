package article

import (
	"net/url"
	"strings"

	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
)

// Trafilatura is github.com/markusmobius/go-trafilatura (Apache-2.0), a
// port of the Python trafilatura: it scores the page's text blocks and, where
// its own pass finds too little, compares readability's and DOM Distiller's
// output and keeps the best.
type Trafilatura struct {
	// NoFallback skips the readability and DOM Distiller comparison.
	NoFallback bool
}

// Name implements Extractor.
func (t Trafilatura) Name() string {
	if t.NoFallback {
		return "go-trafilatura (no fallback)"
	}
	return "go-trafilatura"
}

// Extract implements Extractor.
func (t Trafilatura) Extract(doc *html.Node, pageURL *url.URL) (Article, error) {
	res, err := trafilatura.ExtractDocument(doc, trafilatura.Options{
		OriginalURL:     pageURL,
		EnableFallback:  !t.NoFallback,
		ExcludeComments: true,
		MaxTreeSize:     MaxElements,
		// The article's date comes from metadata; the slower searches of
		// the page's text for dates cost more than they find.
		HtmlDateMode: trafilatura.Fast,
	})
	if err != nil {
		// Its errors ("text and comments are not long enough: 0 0") mean
		// no more than that, in words no reader needs.
		return Article{}, ErrNoText
	}
	a := Article{
		Title:     strings.Join(strings.Fields(res.Metadata.Title), " "),
		Byline:    strings.Join(strings.Fields(res.Metadata.Author), " "),
		Published: res.Metadata.Date,
		Language:  strings.ToLower(res.Metadata.Language),
		Text:      contentText(res),
	}
	if pageURL != nil {
		a.URL = pageURL.String()
	}
	return a, nil
}

// contentText renders trafilatura's content node as paragraphs: its
// ContentText runs all paragraphs into one line.
func contentText(res *trafilatura.ExtractResult) string {
	if res.ContentNode == nil {
		return paragraphs(res.ContentText)
	}
	return nodeText(res.ContentNode)
}
