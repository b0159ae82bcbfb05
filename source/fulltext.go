package source

import (
	"context"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/article"
	"github.com/briefbot/briefbot/story"
)

// Full-text extraction: for feeds that carry only a teaser, the article
// page is fetched through the same bounded, guarded request path as feeds
// and its main text extracted by the article package (go-trafilatura with
// news-specific cleaning, chosen by `briefbot eval extraction`).

// ErrNotArticle is wrapped by Article's errors when the page was fetched
// but holds no article: not HTML, or no readable text in it.
var ErrNotArticle = errors.New("source: page has no readable article")

// Article is the readable main text of a web page.
type Article = article.Article

// articleAccept asks for HTML; servers that content-negotiate would
// otherwise be free to send something else.
const articleAccept = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"

// Page is a fetched HTML page.
type Page struct {
	// URL is the final URL after redirects.
	URL         string
	ContentType string
	Body        []byte
}

// Page fetches the web page at rawURL with the fetcher's limits (timeout,
// body limit after decompression, redirects, address guard, User-Agent),
// refusing what is not HTML. Errors say what went wrong in plain words
// through Reason: "HTTP 403 Forbidden", "not an article: got
// application/pdf"; they wrap ErrNotArticle, a *StatusError or the fetch
// sentinels. Page is safe for concurrent use.
func (f *Fetcher) Page(ctx context.Context, rawURL string) (Page, error) {
	hdr := http.Header{}
	hdr.Set("Accept", articleAccept)
	start := time.Now()
	resp, err := f.get(ctx, rawURL, hdr)
	if err != nil {
		return Page{}, err
	}
	defer resp.Body.Close()
	log := f.log.With(slog.String("item", redactURL(rawURL)), slog.Int("status", resp.StatusCode))

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		log.Debug("article fetch failed", slog.Duration("took", time.Since(start)))
		return Page{}, f.statusError(resp)
	}
	contentType := resp.Header.Get("Content-Type")
	mediaType := htmlMediaType(contentType)
	if mediaType != "" && mediaType != "text/html" {
		// Refused before reading: a PDF or video would only burn the body limit.
		return Page{}, newError(ErrNotArticle, "not an article: got "+mediaType, nil)
	}
	body, err := f.readBody(ctx, resp)
	if err != nil {
		return Page{}, err
	}
	if mediaType == "" && !looksLikeHTML(body, "") {
		return Page{}, newError(ErrNotArticle, "not an article: the page is not HTML", nil)
	}
	if err := ctx.Err(); err != nil {
		return Page{}, err
	}
	log.Debug("article page fetched", slog.Int("bytes", len(body)), slog.Duration("took", time.Since(start)))
	return Page{URL: resp.Request.URL.String(), ContentType: contentType, Body: body}, nil
}

// Article fetches the page at rawURL with Page and extracts its main text
// with ExtractArticle.
func (f *Fetcher) Article(ctx context.Context, rawURL string) (Article, error) {
	p, err := f.Page(ctx, rawURL)
	if err != nil {
		return Article{}, err
	}
	return ExtractArticle(p)
}

// ExtractArticle finds the article in a fetched page; a page without one
// is an error wrapping ErrNotArticle.
func ExtractArticle(p Page) (Article, error) {
	u, err := url.Parse(p.URL)
	if err != nil {
		u = nil
	}
	a, err := article.Extract(p.Body, p.ContentType, u)
	if err != nil {
		return Article{}, newError(ErrNotArticle, err.Error(), err)
	}
	a.URL = p.URL
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
