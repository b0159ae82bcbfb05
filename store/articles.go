package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ItemArticle is what briefbot read of an item's article page, kept by the
// item's canonical link: the article's text when the page gave one, or why
// the teaser was used instead. One record serves every item (of any
// source) with that link, so a page is fetched once.
type ItemArticle struct {
	// Link is the item's canonical link, the key.
	Link string
	// From is "article" when Text is the page's article, "teaser" when the
	// feed's text was used.
	From string
	// Reason, for the teaser, is a short label for metrics ("robots",
	// "fetch", "paywall", ...); Detail says it in words for /why.
	Reason, Detail string
	// Words counts the words of Text.
	Words int
	// Text is the article's plain text (paragraphs separated by blank lines).
	Text string
	// At is when the page was read.
	At time.Time
}

// ItemArticles keeps ItemArticle records. Both stores implement it; it is
// not part of Store so that code needing only Store need not fake it.
type ItemArticles interface {
	// SaveItemArticle stores a, replacing any record for a.Link. An empty
	// link or a zero time is an error.
	SaveItemArticle(ctx context.Context, a ItemArticle) error
	// ItemArticle returns the record for link, and false (with a nil
	// error) when there is none.
	ItemArticle(ctx context.Context, link string) (ItemArticle, bool, error)
}

// The values of ItemArticle.From.
const (
	FromArticle = "article"
	FromTeaser  = "teaser"
)

// Check says what is wrong with a record a store must refuse: an empty
// link, a zero time, or From neither FromArticle nor FromTeaser.
func (a ItemArticle) Check() error {
	switch {
	case a.Link == "":
		return errors.New("the link is empty")
	case a.At.IsZero():
		return errors.New("the time is zero")
	case a.From != FromArticle && a.From != FromTeaser:
		return fmt.Errorf("from is %q, want %q or %q", a.From, FromArticle, FromTeaser)
	}
	return nil
}
