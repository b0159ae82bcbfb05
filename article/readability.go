package article

import (
	"fmt"
	"net/url"
	"strings"

	readability "codeberg.org/readeck/go-readability/v2"
	"codeberg.org/readeck/go-readability/v2/render"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Readability is codeberg.org/readeck/go-readability, a port of Mozilla's
// Readability.js (Firefox's reader view): briefbot's extractor before the
// benchmark picked go-trafilatura, kept as trafilatura's fallback and as
// the baseline `eval extraction` measures against.
type Readability struct{}

// Name implements Extractor.
func (Readability) Name() string { return "readeck/go-readability" }

// Extract implements Extractor.
func (Readability) Extract(doc *html.Node, pageURL *url.URL) (Article, error) {
	p := readability.NewParser()
	p.MaxElemsToParse = MaxElements
	ra, err := p.ParseAndMutate(doc, pageURL)
	if err != nil { // its only failure is MaxElemsToParse
		return Article{}, fmt.Errorf("%w: the page has over %d elements", ErrNoText, MaxElements)
	}
	if ra.Node == nil {
		return Article{}, ErrNoText
	}
	a := Article{
		Title:  strings.Join(strings.Fields(ra.Title()), " "),
		Byline: strings.Join(strings.Fields(ra.Byline()), " "),
		Text:   nodeText(ra.Node),
	}
	if t, err := ra.PublishedTime(); err == nil {
		a.Published = t
	}
	a.Language = strings.ToLower(ra.Language())
	if a.URL == "" && pageURL != nil {
		a.URL = pageURL.String()
	}
	return a, nil
}

// nodeText renders n as plain paragraphs. Captions are dropped first: they
// describe photos, not the story, and would otherwise reach summaries as
// sentences.
func nodeText(n *html.Node) string {
	var captions []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Figcaption {
			captions = append(captions, n)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	for _, c := range captions {
		if c.Parent != nil {
			c.Parent.RemoveChild(c)
		}
	}
	// InnerText ends blocks with newlines the way a browser lays them out;
	// each non-empty line becomes one paragraph.
	return paragraphs(render.InnerText(n))
}
