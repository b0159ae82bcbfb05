package storeutil

import (
	"strings"
	"unicode"
)

// MaxSearchTerms bounds the work one /topic query can ask of the index.
const MaxSearchTerms = 16

// SearchWords splits what a user typed into the words of a search, at most
// MaxSearchTerms. Control characters and invalid UTF-8 separate words (FTS5
// reads a NUL as the end of a query; PostgreSQL text cannot hold one). A
// word with no letter or digit would match nothing and is dropped; no words
// means nothing is searchable. Each store then makes each word safe for its
// own query syntax.
func SearchWords(text string) []string {
	text = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(text, " "))
	var words []string
	for _, w := range strings.Fields(text) {
		if !strings.ContainsFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) {
			continue
		}
		words = append(words, w)
		if len(words) == MaxSearchTerms {
			break
		}
	}
	return words
}
