package postgres

import (
	"strings"
	"unicode"
)

// maxSearchTerms bounds the work one /topic query can ask of the index.
const maxSearchTerms = 16

// searchTerms turns what a user typed into the words of a search, each to
// be matched as a phrase of its tokens. Words are split on white space;
// within a word, ASCII punctuation becomes a space, as the stories.search
// column does to headlines and summaries (migrations/0002_briefings.sql),
// so "U.S." is the phrase "u s" on both sides and search syntax is only
// ever text. Control characters and invalid UTF-8 separate words (text
// cannot hold NUL). A word with no letter or digit would match nothing and
// is dropped; no terms means nothing is searchable.
func searchTerms(text string) []string {
	text = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(text, " "))
	var terms []string
	for _, w := range strings.Fields(text) {
		if !strings.ContainsFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) {
			continue
		}
		terms = append(terms, strings.Map(func(r rune) rune {
			if r <= unicode.MaxASCII && (unicode.IsPunct(r) || unicode.IsSymbol(r)) {
				return ' '
			}
			return r
		}, w))
		if len(terms) == maxSearchTerms {
			break
		}
	}
	return terms
}
