package source

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// testLogger writes to the test log only when -v is set, to keep failures readable.
func testLogger(t *testing.T) *slog.Logger {
	t.Helper()
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// testFetcher reaches httptest servers: the guard is off, as the config's
// allow_private_networks: true would set it.
func testFetcher(t *testing.T, l Limits) *Fetcher {
	t.Helper()
	l.AllowPrivateNetworks = true
	if l.Timeout == 0 {
		l.Timeout = 5 * time.Second
	}
	return NewFetcher(l, testLogger(t))
}

// fakeClock is a settable clock for the poller.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testItem is one item of a generated RSS document.
type testItem struct {
	GUID, Link, Title, Desc string
	Pub                     time.Time
}

// rssDoc renders items as RSS 2.0; extra goes inside <channel>.
func rssDoc(extra string, items ...testItem) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Test feed</title><link>https://news.example.org/</link>`)
	b.WriteString(extra)
	for _, it := range items {
		b.WriteString("<item>")
		if it.GUID != "" {
			fmt.Fprintf(&b, `<guid isPermaLink="false">%s</guid>`, it.GUID)
		}
		if it.Link != "" {
			fmt.Fprintf(&b, "<link>%s</link>", it.Link)
		}
		fmt.Fprintf(&b, "<title>%s</title><description>%s</description>", it.Title, it.Desc)
		if !it.Pub.IsZero() {
			fmt.Fprintf(&b, "<pubDate>%s</pubDate>", it.Pub.Format(time.RFC1123Z))
		}
		b.WriteString("</item>")
	}
	b.WriteString("</channel></rss>")
	return b.String()
}
