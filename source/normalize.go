package source

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/briefbot/briefbot/story"
)

// Lengths for text derived from other fields.
const (
	derivedTitleRunes = 120 // a title made from the text of a title-less post
	derivedDescRunes  = 400 // a description made from the content
)

// Normalize turns a parsed feed into story.Items in document order.
//
//   - Key: the GUID when it is unique within the document; else the
//     canonical link; else a hash of title and the raw date (or title and
//     description when there is no date), so it is stable across polls.
//     A feed that repeats one GUID for every item thus still yields
//     distinct items.
//   - Link: resolved against docURL (else the feed's own URL or site link),
//     canonicalised (see CanonicalLink), http(s) only.
//   - Title, Description, Content, Author: plain text (see PlainText). A
//     missing title is taken from the text; a missing description from
//     the content; content equal to the description is dropped.
//   - Published: UTC; missing or unparseable → fetched; later than
//     fetched (clock skew, wrong time zone, scheduled posts) → fetched.
//
// Items with neither title, text nor link are dropped, and so are repeats
// of a key or link already seen in the same document.
func Normalize(f *gofeed.Feed, feed Feed, docURL string, fetched time.Time) []story.Item {
	if f == nil {
		return nil
	}
	fetched = fetched.UTC()
	base := httpBase(docURL)
	if base == nil {
		base = httpBase(feed.URL)
	}
	if base == nil {
		base = httpBase(f.Link)
	}

	guidCount := make(map[string]int, len(f.Items))
	for _, it := range f.Items {
		if it != nil {
			if g := strings.TrimSpace(it.GUID); g != "" {
				guidCount[g]++
			}
		}
	}
	feedLang := feed.Language
	if feedLang == "" {
		feedLang = f.Language
	}

	items := make([]story.Item, 0, len(f.Items))
	seenKey := make(map[string]bool, len(f.Items))
	seenLink := make(map[string]bool, len(f.Items))
	for _, it := range f.Items {
		if it == nil {
			continue
		}
		n := normalizeItem(it, base, fetched)
		if n.Title == "" && n.Description == "" && n.Link == "" {
			continue
		}
		n.Source = feed.Name
		n.Language = normalizeLang(firstNonEmpty(dcLanguage(it), feedLang))
		if feed.Language != "" {
			n.Language = normalizeLang(feed.Language)
		}
		switch {
		case n.GUID != "" && guidCount[n.GUID] == 1:
			n.Key = n.GUID
		case n.Link != "":
			n.Key = n.Link
		default:
			n.Key = contentKey(n.Title, firstNonEmpty(strings.TrimSpace(it.Published), strings.TrimSpace(it.Updated), n.Description))
		}
		if seenKey[n.Key] || (n.Link != "" && seenLink[n.Link]) {
			continue
		}
		seenKey[n.Key] = true
		if n.Link != "" {
			seenLink[n.Link] = true
		}
		items = append(items, n)
	}
	return items
}

func normalizeItem(it *gofeed.Item, base *url.URL, fetched time.Time) story.Item {
	n := story.Item{
		GUID:    strings.TrimSpace(it.GUID),
		Fetched: fetched,
	}
	n.Link = CanonicalLink(it.Link, base)
	for i := 0; n.Link == "" && i < len(it.Links); i++ {
		n.Link = CanonicalLink(it.Links[i], base)
	}
	if n.Link == "" && strings.HasPrefix(strings.ToLower(n.GUID), "http") {
		// RSS GUIDs are permalinks unless isPermaLink="false"; gofeed does
		// not expose the attribute, so only absolute http(s) GUIDs qualify.
		n.Link = CanonicalLink(n.GUID, nil)
	}

	n.Title = PlainText(it.Title)
	n.Description = PlainText(it.Description)
	n.Content = PlainText(it.Content)
	if n.Description == "" && n.Content != "" {
		n.Description = truncateText(n.Content, derivedDescRunes)
	}
	if n.Content == n.Description || len(n.Content) <= len(n.Description) {
		n.Content = ""
	}
	if n.Title == "" {
		n.Title = truncateText(firstNonEmpty(n.Description, n.Content), derivedTitleRunes)
	}
	n.Author = PlainText(authorName(it))
	n.Published = itemDate(it, fetched)
	return n
}

// itemDate picks the publication date, falling back to the update date,
// then to our own parser for what gofeed cannot read, then to fetched.
func itemDate(it *gofeed.Item, fetched time.Time) time.Time {
	var t time.Time
	switch {
	case it.PublishedParsed != nil && !it.PublishedParsed.IsZero():
		t = *it.PublishedParsed
	case it.UpdatedParsed != nil && !it.UpdatedParsed.IsZero():
		t = *it.UpdatedParsed
	default:
		for _, s := range []string{it.Published, it.Updated, dcDate(it)} {
			if p, ok := parseLooseDate(s); ok {
				t = p
				break
			}
		}
	}
	if t.IsZero() || t.After(fetched) {
		return fetched
	}
	return t.UTC()
}

func authorName(it *gofeed.Item) string {
	var names []string
	for _, p := range it.Authors {
		if p != nil && strings.TrimSpace(p.Name) != "" {
			names = append(names, strings.TrimSpace(p.Name))
		}
	}
	if len(names) == 0 && it.Author != nil {
		names = append(names, it.Author.Name)
	}
	if len(names) == 0 && it.DublinCoreExt != nil {
		names = append(names, it.DublinCoreExt.Creator...)
	}
	return strings.Join(names, ", ")
}

func dcLanguage(it *gofeed.Item) string {
	if it.DublinCoreExt != nil && len(it.DublinCoreExt.Language) > 0 {
		return it.DublinCoreExt.Language[0]
	}
	return ""
}

func dcDate(it *gofeed.Item) string {
	if it.DublinCoreExt != nil && len(it.DublinCoreExt.Date) > 0 {
		return it.DublinCoreExt.Date[0]
	}
	return ""
}

// normalizeLang lower-cases a language tag and uses "-" as separator:
// "en_US" → "en-us".
func normalizeLang(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, "_", "-")
	if len(s) > 35 || strings.ContainsAny(s, " \t<>\"") {
		return "" // not a language tag
	}
	return s
}

// contentKey identifies an item that has neither a unique GUID nor a link.
func contentKey(title, extra string) string {
	h := sha256.Sum256([]byte(title + "\x00" + extra))
	return "sha256:" + hex.EncodeToString(h[:16])
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}
