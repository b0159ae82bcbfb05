package postgres

import (
	"strings"
	"unicode"

	"github.com/briefbot/briefbot/store/internal/storeutil"
)

// searchTerms turns what a user typed into the words of a search
// (storeutil.SearchWords), each to be matched as a phrase of its tokens.
// Within a word, ASCII punctuation becomes a space, as the stories.search
// column does to headlines and summaries (migrations/0002_briefings.sql),
// so "U.S." is the phrase "u s" on both sides and search syntax is only
// ever text. No terms means nothing is searchable.
func searchTerms(text string) []string {
	terms := storeutil.SearchWords(text)
	for i, w := range terms {
		terms[i] = strings.Map(func(r rune) rune {
			if r <= unicode.MaxASCII && (unicode.IsPunct(r) || unicode.IsSymbol(r)) {
				return ' '
			}
			return r
		}, w)
	}
	return terms
}
