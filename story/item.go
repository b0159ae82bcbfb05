// Package story holds briefbot's domain types: the items that sources yield
// and, later, the stories that group them. It imports no I/O packages.
package story

import "time"

// Item is one normalised feed entry from one source.
type Item struct {
	// ID is the store's row ID; zero until the item is saved.
	ID int64
	// Source is the configured source's name (its stable key).
	Source string
	// Key is the item's stable identity within its source: the GUID when the
	// feed gives usable ones, else the canonical link, else a content hash.
	Key string
	// GUID is the feed's own identifier, as given (may be empty).
	GUID string
	// Link is the canonical article URL: http(s), tracking parameters and
	// fragment removed. May be empty for link-less items.
	Link string
	// Title and Description are plain text: HTML removed, entities decoded,
	// whitespace collapsed.
	Title       string
	Description string
	// Content is the plain-text body when the feed carries more than a teaser.
	Content string
	// Author is the plain-text byline, if any.
	Author string
	// Language is the feed's or item's language tag, if known (e.g. "en", "fa").
	Language string
	// Published is when the outlet says it published the item, in UTC.
	// Missing dates become the fetch time; far-future dates are clamped.
	Published time.Time
	// Fetched is when briefbot first saw the item, in UTC.
	Fetched time.Time
}

// Text returns the fullest plain text the item carries: content if any,
// else the description.
func (it Item) Text() string {
	if it.Content != "" {
		return it.Content
	}
	return it.Description
}
