package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"codeberg.org/readeck/go-readability/v2/render"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/transform"

	"github.com/briefbot/briefbot/story"
)

// Full-text extraction: for feeds that carry only a teaser, the article
// page is fetched through the same bounded, guarded request path as feeds
// and its main text extracted with go-readability (a port of Mozilla's
// Readability.js, the reader view of Firefox).

// ErrNotArticle is wrapped by Article's errors when the page was fetched
// but holds no article: not HTML, or no readable text in it.
var ErrNotArticle = errors.New("source: page has no readable article")

// Article is the readable main text of a web page.
type Article struct {
	// URL is the final URL after redirects.
	URL string
	// Title is the article's headline, from its metadata or <title>.
	Title string
	// Byline is the author line, if the page names one.
	Byline string
	// Text is plain text: paragraphs separated by blank lines, no markup.
	Text string
}

// articleAccept asks for HTML; servers that content-negotiate would
// otherwise be free to send something else.
const articleAccept = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"

const (
	// minArticleWords is the least extracted text that counts as an article.
	// Anything shorter is no better than a feed teaser and is usually a
	// paywall, consent wall or error page.
	minArticleWords = 50
	// maxArticleElements bounds readability's work, which grows faster than
	// linearly with the page: real article pages have a few thousand
	// elements, and a page with more is not worth the CPU.
	maxArticleElements = 100_000
)

// Article fetches the web page at rawURL with the fetcher's limits (timeout,
// body limit after decompression, redirects, address guard, User-Agent) and
// extracts its main text.
//
// Errors say what went wrong in plain words through Reason: "HTTP 403
// Forbidden", "not an article: got application/pdf", "no readable text
// found"; they wrap ErrNotArticle, a *StatusError or the fetch sentinels.
// Article is safe for concurrent use.
func (f *Fetcher) Article(ctx context.Context, rawURL string) (Article, error) {
	hdr := http.Header{}
	hdr.Set("Accept", articleAccept)
	start := time.Now()
	resp, err := f.get(ctx, rawURL, hdr)
	if err != nil {
		return Article{}, err
	}
	defer resp.Body.Close()
	log := f.log.With(slog.String("item", redactURL(rawURL)), slog.Int("status", resp.StatusCode))

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		log.Debug("article fetch failed", slog.Duration("took", time.Since(start)))
		return Article{}, f.statusError(resp)
	}
	contentType := resp.Header.Get("Content-Type")
	mediaType := htmlMediaType(contentType)
	if mediaType != "" && mediaType != "text/html" {
		// Refused before reading: a PDF or video would only burn the body limit.
		return Article{}, newError(ErrNotArticle, "not an article: got "+mediaType, nil)
	}
	body, err := f.readBody(ctx, resp)
	if err != nil {
		return Article{}, err
	}
	if mediaType == "" && !looksLikeHTML(body, "") {
		return Article{}, newError(ErrNotArticle, "not an article: the page is not HTML", nil)
	}
	if err := ctx.Err(); err != nil {
		return Article{}, err
	}

	a, err := extractArticle(body, contentType, resp.Request.URL)
	if err != nil {
		log.Debug("article extraction failed", slog.String("err", err.Error()))
		return Article{}, err
	}
	a.URL = resp.Request.URL.String()
	log.Debug("article extracted", slog.Int("bytes", len(body)),
		slog.Int("words", len(strings.Fields(a.Text))), slog.Duration("took", time.Since(start)))
	return a, nil
}

// htmlMediaType returns "text/html" for HTML types, "" when the type is
// missing or says nothing (octet-stream, unparseable), so the body is
// sniffed, and the media type itself otherwise.
func htmlMediaType(contentType string) string {
	if strings.TrimSpace(contentType) == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(contentType)
	switch {
	case err != nil, mt == "application/octet-stream", mt == "binary/octet-stream":
		return ""
	case mt == "text/html", mt == "application/xhtml+xml":
		return "text/html"
	}
	return mt
}

// extractArticle decodes body to UTF-8 and runs readability over it.
func extractArticle(body []byte, contentType string, pageURL *url.URL) (Article, error) {
	// DetermineEncoding weighs the BOM, the Content-Type charset and <meta>
	// declarations in the order browsers do, so non-UTF-8 pages read right.
	enc, _, _ := charset.DetermineEncoding(body, contentType)
	doc, err := html.Parse(transform.NewReader(bytes.NewReader(body), enc.NewDecoder()))
	if err != nil {
		return Article{}, newError(ErrNotArticle, "not an article: the HTML cannot be parsed", err)
	}
	p := readability.NewParser()
	p.MaxElemsToParse = maxArticleElements
	ra, err := p.ParseAndMutate(doc, pageURL)
	if err != nil { // its only failure is MaxElemsToParse
		return Article{}, newError(ErrNotArticle,
			fmt.Sprintf("no readable text found: the page has over %d elements", maxArticleElements), err)
	}
	if ra.Node == nil {
		return Article{}, newError(ErrNotArticle, "no readable text found", nil)
	}
	text := articleText(ra.Node)
	if n := len(strings.Fields(text)); n < minArticleWords {
		return Article{}, newError(ErrNotArticle, fmt.Sprintf("no readable text found (only %d words)", n), nil)
	}
	return Article{
		Title:  collapseSpace(ra.Title()),
		Byline: collapseSpace(ra.Byline()),
		Text:   text,
	}, nil
}

// articleText renders the readable node as plain paragraphs. Captions are
// dropped first: they describe photos, not the story, and would otherwise
// reach summaries as sentences.
func articleText(n *html.Node) string {
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
	var paras []string
	for line := range strings.Lines(render.InnerText(n)) {
		if p := collapseSpace(line); p != "" {
			paras = append(paras, p)
		}
	}
	return strings.Join(paras, "\n\n")
}

// teaserWords is the length below which a feed's text is a teaser: feeds
// that carry the story give paragraphs, teasers a sentence or two.
const teaserWords = 60

// Texts that a feed cut short on purpose end in an ellipsis or a link
// label; wordMarkers must follow a space or punctuation ("spread on" is not
// "read on").
var (
	ellipses    = []string{"...", "…"}
	wordMarkers = []string{
		"read more", "continue reading", "keep reading", "read on",
		"read the full story", "read the full article", "read full story", "read full article",
	}
)

// NeedsFullText reports whether it carries only a teaser, so fetching the
// article page with Article would give the summarizer more to work with:
// the item has a link, and its fullest text (Item.Text) is under about 60
// words or ends the way truncated feeds do ("…", "[...]", "Read more »",
// "Continue reading…").
func NeedsFullText(it story.Item) bool {
	if it.Link == "" {
		return false
	}
	text := it.Text()
	return len(strings.Fields(text)) < teaserWords || endsTruncated(text)
}

func endsTruncated(text string) bool {
	// Closing brackets, arrows and quotes wrap markers: "[…]", "(more…)",
	// "Read more »", "Continue reading →".
	end := strings.ToLower(strings.TrimRightFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(")]}»›→>\"'”’:", r)
	}))
	for _, m := range ellipses {
		if strings.HasSuffix(end, m) {
			return true
		}
	}
	for _, m := range wordMarkers {
		if before, ok := strings.CutSuffix(end, m); ok {
			r, _ := utf8.DecodeLastRuneInString(before)
			if before == "" || !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return true
			}
		}
	}
	return false
}
