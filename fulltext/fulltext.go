// Package fulltext reads the article page behind a feed item that carries
// only a teaser: politely (robots.txt, the poller's per-host and global
// fetch slots, the feed fetcher's limits and User-Agent), once per
// canonical link, and only when the page really is the item's article.
// Anything else falls back to the teaser, with the reason kept for /why
// and counted for metrics.
package fulltext

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot/source"
	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

// Mode says which items get their article page read.
type Mode string

const (
	// ModeRelevant reads the article of relevant items (and of close
	// calls, to settle them) whose feed text is a teaser.
	ModeRelevant Mode = "relevant"
	// ModeAlways reads the article of every item whose feed text is a
	// teaser, before relevance is judged.
	ModeAlways Mode = "always"
	// ModeNever reads no article pages.
	ModeNever Mode = "never"
)

// Reasons for using the teaser besides those of checkPage (metric labels).
const (
	ReasonNoLink  = "no_link"
	ReasonRobots  = "robots"
	ReasonFetch   = "fetch"
	ReasonNoText  = "no_text"
	ReasonArticle = "article" // not a fallback: the metric's label for success
)

// Slots bounds concurrent requests per host and overall; the poller's
// (source.Poller.Acquire) are passed so article pages and feeds share them.
type Slots interface {
	Acquire(ctx context.Context, rawURL string) (release func(), err error)
}

// Store keeps results across restarts; store.ItemArticles.
type Store = store.ItemArticles

// Options configures a Reader. Fetcher is required.
type Options struct {
	Fetcher *source.Fetcher
	// Slots, when set, is taken around every request (robots.txt too).
	Slots Slots
	// Store, when set, keeps results by link.
	Store Store
	// Token is the product token matched against robots.txt user-agent
	// lines; "briefbot" when empty.
	Token string
	// RobotsTTL is how long a host's robots.txt is kept; a day when zero.
	RobotsTTL time.Duration
	// CacheSize bounds the results kept in memory (the store keeps them
	// all); 500 when zero.
	CacheSize int
	// Count, when set, is called once per page read with the result's
	// reason (ReasonArticle on success).
	Count func(reason string)
	Log   *slog.Logger
	Now   func() time.Time
}

// Reader reads article pages. It is safe for concurrent use.
type Reader struct {
	o Options

	mu     sync.Mutex
	robots map[string]robotsEntry // by scheme://host
	cache  map[string]store.ItemArticle
	order  []string // cache keys, oldest first, for eviction
	flight map[string]*call
}

type robotsEntry struct {
	r       robots
	reason  string // why all is disallowed, for /why
	expires time.Time
}

type call struct {
	done chan struct{}
	res  store.ItemArticle
}

// New returns a Reader.
func New(o Options) *Reader {
	if o.Token == "" {
		o.Token = "briefbot"
	}
	if o.RobotsTTL <= 0 {
		o.RobotsTTL = 24 * time.Hour
	}
	if o.CacheSize <= 0 {
		o.CacheSize = 500
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Reader{o: o, robots: map[string]robotsEntry{}, cache: map[string]store.ItemArticle{}, flight: map[string]*call{}}
}

// Why says, for /why, where a summary came from: "summary from: article,
// 812 words" or "summary from: teaser — robots.txt disallows article pages
// on this host".
func Why(a store.ItemArticle) string {
	if a.From == store.FromArticle {
		return fmt.Sprintf("summary from: article, %d words", a.Words)
	}
	if a.Detail == "" {
		return "summary from: teaser"
	}
	return "summary from: teaser — " + a.Detail
}

// Cached returns the result for the item's link if it was read already,
// without reading anything.
func (r *Reader) Cached(ctx context.Context, link string) (store.ItemArticle, bool) {
	r.mu.Lock()
	a, ok := r.cache[link]
	r.mu.Unlock()
	if ok || r.o.Store == nil || link == "" {
		return a, ok
	}
	a, ok, err := r.o.Store.ItemArticle(ctx, link)
	if err != nil {
		r.o.Log.Warn("full text: reading the stored article failed", slog.String("link", link), slog.String("err", err.Error()))
		return store.ItemArticle{}, false
	}
	if ok {
		r.remember(a)
	}
	return a, ok
}

// Read returns the item's article, reading its page once per link: later
// calls for the same link (from any item) return the first result.
// Concurrent calls for one link share one read.
func (r *Reader) Read(ctx context.Context, it story.Item) store.ItemArticle {
	if it.Link == "" {
		return teaser("", ReasonNoLink, "the item has no link", r.o.Now())
	}
	if a, ok := r.Cached(ctx, it.Link); ok {
		return a
	}
	r.mu.Lock()
	if c, ok := r.flight[it.Link]; ok {
		r.mu.Unlock()
		select {
		case <-c.done:
			return c.res
		case <-ctx.Done():
			return teaser(it.Link, ReasonFetch, "the article page was not read in time", r.o.Now())
		}
	}
	c := &call{done: make(chan struct{})}
	r.flight[it.Link] = c
	r.mu.Unlock()

	c.res = r.read(ctx, it)
	r.mu.Lock()
	delete(r.flight, it.Link)
	r.mu.Unlock()
	close(c.done)

	if ctx.Err() != nil {
		// Cut short by shutdown: not a verdict on the page, so nothing is
		// kept and a restart reads it again.
		return c.res
	}
	r.remember(c.res)
	if r.o.Store != nil {
		if err := r.o.Store.SaveItemArticle(ctx, c.res); err != nil {
			r.o.Log.Warn("full text: storing the article failed", slog.String("link", it.Link), slog.String("err", err.Error()))
		}
	}
	if r.o.Count != nil {
		reason := c.res.Reason
		if c.res.From == store.FromArticle {
			reason = ReasonArticle
		}
		r.o.Count(reason)
	}
	return c.res
}

func (r *Reader) remember(a store.ItemArticle) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.cache[a.Link]; !ok {
		r.order = append(r.order, a.Link)
	}
	r.cache[a.Link] = a
	for len(r.order) > r.o.CacheSize {
		delete(r.cache, r.order[0])
		r.order = r.order[1:]
	}
}

func teaser(link, reason, detail string, at time.Time) store.ItemArticle {
	return store.ItemArticle{Link: link, From: store.FromTeaser, Reason: reason, Detail: detail, At: at.UTC()}
}

func (r *Reader) read(ctx context.Context, it story.Item) store.ItemArticle {
	now := r.o.Now()
	u, err := url.Parse(it.Link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return teaser(it.Link, ReasonFetch, "the item's link is not a web address", now)
	}
	if reservedHost(u.Hostname()) {
		return teaser(it.Link, ReasonFetch, "the link's host is a reserved name that no site uses", now)
	}
	if ok, why := r.allowed(ctx, u); !ok {
		return teaser(it.Link, ReasonRobots, why, now)
	}
	var page source.Page
	err = r.slot(ctx, it.Link, func() error {
		var err error
		page, err = r.o.Fetcher.Page(ctx, it.Link)
		return err
	})
	log := r.o.Log.With(slog.String("source", it.Source), slog.Int64("item", it.ID))
	if err != nil {
		why := "the article page could not be read: " + source.Reason(err)
		log.Info("full text unavailable; summarizing the teaser", slog.String("reason", why))
		return teaser(it.Link, ReasonFetch, why, now)
	}
	a, err := source.ExtractArticle(page)
	if err != nil {
		if reason := checkEmpty(page.Body); reason != "" {
			log.Info("full text: not the article; summarizing the teaser", slog.String("reason", reasonText[reason]))
			return teaser(it.Link, reason, reasonText[reason], now)
		}
		why := "the article page has no readable text"
		if !errors.Is(err, source.ErrNotArticle) || strings.HasPrefix(source.Reason(err), "not an article") {
			why = "the link is " + source.Reason(err)
		}
		log.Info("full text unavailable; summarizing the teaser", slog.String("reason", why))
		return teaser(it.Link, ReasonNoText, why, now)
	}
	if reason := checkPage(it, page.URL, page.Body, a); reason != "" {
		log.Info("full text: not the article; summarizing the teaser", slog.String("reason", reasonText[reason]))
		return teaser(it.Link, reason, reasonText[reason], now)
	}
	log.Debug("full text read", slog.Int("words", a.Words()))
	text := clip(a.Text, maxTextBytes)
	return store.ItemArticle{Link: it.Link, From: store.FromArticle, Words: len(strings.Fields(text)), Text: text, At: now.UTC()}
}

// slot runs f holding the request slots for rawURL's host, when there are any.
func (r *Reader) slot(ctx context.Context, rawURL string, f func() error) error {
	if r.o.Slots != nil {
		release, err := r.o.Slots.Acquire(ctx, rawURL)
		if err != nil {
			return err
		}
		defer release()
	}
	return f()
}

// allowed consults the host's robots.txt, fetched at most once a day
// (RobotsTTL). Per RFC 9309, a missing file (4xx) allows everything and
// an unreachable one (5xx, network failure) disallows everything; the
// latter is retried after an hour rather than a day.
func (r *Reader) allowed(ctx context.Context, u *url.URL) (bool, string) {
	host := u.Scheme + "://" + strings.ToLower(u.Host)
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	now := r.o.Now()
	r.mu.Lock()
	e, ok := r.robots[host]
	r.mu.Unlock()
	if !ok || now.After(e.expires) {
		e = r.fetchRobots(ctx, host)
		if ctx.Err() != nil {
			return false, "robots.txt was not read in time"
		}
		r.mu.Lock()
		r.robots[host] = e
		r.mu.Unlock()
	}
	if e.r.allowed(path) {
		return true, ""
	}
	if e.reason != "" {
		return false, e.reason
	}
	return false, "robots.txt disallows article pages on this host"
}

func (r *Reader) fetchRobots(ctx context.Context, host string) robotsEntry {
	now := r.o.Now()
	var resp *source.Response
	err := r.slot(ctx, host+"/robots.txt", func() error {
		var err error
		resp, err = r.o.Fetcher.Fetch(ctx, host+"/robots.txt", source.Validators{})
		return err
	})
	var se *source.StatusError
	switch {
	case err == nil:
		return robotsEntry{r: parseRobots(string(resp.Body), r.o.Token), expires: now.Add(r.o.RobotsTTL)}
	case errors.As(err, &se) && se.Code >= 400 && se.Code < 500:
		return robotsEntry{expires: now.Add(r.o.RobotsTTL)}
	}
	return robotsEntry{
		r:       robots{all: true},
		reason:  "robots.txt could not be read (" + source.Reason(err) + "), which counts as a refusal",
		expires: now.Add(time.Hour),
	}
}

// reservedHost reports whether host is under a top-level name reserved
// for examples and tests (RFC 2606, RFC 6761): no site lives there, so
// there is nothing to ask DNS.
func reservedHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, tld := range []string{".example", ".invalid", ".test"} {
		if strings.HasSuffix(host, tld) || host == tld[1:] {
			return true
		}
	}
	return false
}

// maxTextBytes bounds the article text kept: a long read is a few tens of
// kilobytes, and summaries and relevance use its first paragraphs.
const maxTextBytes = 64 << 10

// clip cuts text to at most n bytes at a paragraph boundary (or, for one
// huge paragraph, at a space).
func clip(text string, n int) string {
	if len(text) <= n {
		return text
	}
	cut := text[:n]
	if i := strings.LastIndex(cut, "\n\n"); i > 0 {
		return cut[:i]
	}
	if i := strings.LastIndexByte(cut, ' '); i > 0 {
		return cut[:i]
	}
	return strings.ToValidUTF8(cut, "")
}
