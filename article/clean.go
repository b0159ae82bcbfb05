package article

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"

	"github.com/briefbot/briefbot/summarize"
)

// Cleaned runs an extractor and removes what news pages wrap around a story
// and extractors keep: the headline repeated as the first paragraph, and,
// through summarize.Clean (the cleaner every summary goes through anyway),
// calls to subscribe, share or read another story, credits and copyright
// lines, and the trailer of links that follows them.
type Cleaned struct {
	Extractor
	// KeepHeadline skips dropping paragraphs that repeat the headline;
	// NoSummarizeClean skips summarize.Clean. Both exist to measure each
	// part's share in `briefbot eval extraction`.
	KeepHeadline, NoSummarizeClean bool
}

// Name implements Extractor.
func (c Cleaned) Name() string {
	switch {
	case c.KeepHeadline && c.NoSummarizeClean:
		return c.Extractor.Name()
	case c.KeepHeadline:
		return c.Extractor.Name() + " + summarize.Clean"
	case c.NoSummarizeClean:
		return c.Extractor.Name() + " + headline drop"
	}
	return c.Extractor.Name() + " + news cleaning"
}

// Extract implements Extractor.
func (c Cleaned) Extract(doc *html.Node, pageURL *url.URL) (Article, error) {
	a, err := c.Extractor.Extract(doc, pageURL)
	if err != nil {
		return a, err
	}
	if !c.KeepHeadline {
		a.Text = dropHeadline(a.Text, a.Title)
	}
	if !c.NoSummarizeClean {
		a.Text = paragraphs(summarize.Clean(a.Text))
	}
	return a, nil
}

// dropHeadline removes leading paragraphs that repeat the title: pages put
// the <h1> inside the article element, and the summary has the headline
// already.
func dropHeadline(text, title string) string {
	t := fold(title)
	if t == "" {
		return text
	}
	for {
		first, rest, ok := strings.Cut(text, "\n\n")
		// A <title> often adds the site's name ("Headline | Site"); the
		// paragraph must be all of the headline or its start, never
		// merely begin with it (a lead can open with the headline's words).
		if f := fold(first); f == "" || (f != t && !strings.HasPrefix(t, f+" ")) || !ok {
			return text
		}
		text = rest
	}
}

// fold lower-cases s and keeps only its words, so punctuation and spacing
// differences between <title> and <h1> do not matter.
func fold(s string) string {
	return strings.Join(tokens(strings.ToLower(s)), " ")
}
