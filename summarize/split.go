package summarize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SplitSentences splits news text into sentences. Every sentence returned
// is a trimmed substring of text, in order, and nothing but whitespace is
// dropped between them.
//
// A period ends a sentence unless it belongs to a known abbreviation or an
// initial ("Mr.", "Gen.", "Jan. 5", "John F. Kennedy"), and ambiguous
// abbreviations such as "U.S." or "a.m." end one only when the next word is
// a typical sentence opener ("The", "He", ...). Decimals and dotted names
// have no space after the period and are never split. Closing quotes and
// brackets stay with the sentence they close ("…," he said." stays whole).
// Lines end sentences too, except where a line looks hard-wrapped.
func SplitSentences(text string) []string {
	var out []string
	start := 0
	emit := func(end int) {
		if s := strings.TrimSpace(text[start:end]); s != "" {
			out = append(out, s)
		}
		start = end
	}
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == '\n':
			if lineBreakEndsSentence(text, start, i) {
				emit(i)
			}
			i++
		case c == '.' || c == '!' || c == '?' || (c == 0xE2 && strings.HasPrefix(text[i:], "…")):
			end, ok := sentenceEnd(text, start, i)
			if ok {
				emit(end)
				i = end
			} else {
				i = max(end, i+1)
			}
		default:
			i++
		}
	}
	emit(len(text))
	return out
}

// sentenceEnd decides whether the terminal punctuation at i ends the
// sentence that began at start. It returns the end offset (after any run of
// terminal marks and closing quotes) and whether it is a boundary.
func sentenceEnd(text string, start, i int) (int, bool) {
	j := i
	dots := 0
	for j < len(text) {
		switch {
		case text[j] == '.':
			dots++
			j++
		case text[j] == '!' || text[j] == '?':
			j++
		case strings.HasPrefix(text[j:], "…"):
			dots += 3
			j += len("…")
		default:
			goto marks
		}
	}
marks:
	termEnd := j
	// Closing quotes and brackets right after the mark belong to the sentence.
	for j < len(text) {
		r, size := utf8.DecodeRuneInString(text[j:])
		if !isCloser(r) {
			break
		}
		j += size
	}
	if j == len(text) {
		return j, true
	}
	r, _ := utf8.DecodeRuneInString(text[j:])
	if !unicode.IsSpace(r) {
		return termEnd, false // "3.5", "U.S.-led", "cnn.com", "Yahoo!News"
	}
	// A tokenized closing quote (" ''") detached by a space also belongs here.
	k := skipSpaces(text, j)
	if strings.HasPrefix(text[k:], "''") {
		if e := k + 2; e == len(text) || isSpaceByte(text[e]) {
			j = e
			k = skipSpaces(text, j)
		}
	}
	if k >= len(text) {
		return j, true
	}
	next := nextWord(text, k)
	first, _ := utf8.DecodeRuneInString(next)
	// Tokenized text ("in june . in an email") marks boundaries with a
	// detached mark; casing tells nothing there.
	spaced := i > 0 && text[i-1] == ' ' && j-i == 1
	if spaced {
		return j, true
	}
	if text[i] != '.' || dots > 1 {
		// "!", "?" and ellipses end a sentence unless it clearly goes on
		// in lower case ("Really?" she asked.)
		return j, !unicode.IsLower(first)
	}
	if unicode.IsLower(first) {
		return j, false
	}
	prev := wordBefore(text, start, i)
	if prev == "" {
		return j, true
	}
	lp := strings.ToLower(prev)
	switch {
	case titleAbbrev[lp]:
		return j, false
	case monthAbbrev[lp] || numberAbbrev[lp]:
		return j, !unicode.IsDigit(first) && isOpener(next)
	case isInitial(prev):
		return j, isOpener(next)
	case timeAbbrev[lp]:
		return j, unicode.IsUpper(first) && !timeFollower[strings.ToLower(trimWord(next))] && !isAcronym(next)
	case strings.Count(prev, ".") > 0 || otherAbbrev[lp]:
		// Dotted abbreviations ("U.S.", "U.N.") and company suffixes.
		return j, isOpener(next)
	case isDigits(prev) && strings.TrimSpace(text[start:i]) == prev:
		return j, false // a list number: "1. Rescue workers…"
	}
	return j, true
}

// lineBreakEndsSentence reports whether the newline at i ends the current
// sentence: always at a blank line or after terminal punctuation, and
// otherwise (a heading, a caption, a list item) unless the next line goes
// on in lower case, as a hard-wrapped sentence does.
func lineBreakEndsSentence(text string, start, i int) bool {
	pending := strings.TrimSpace(text[start:i])
	if pending == "" {
		return false
	}
	k := i + 1
	for k < len(text) && (text[k] == ' ' || text[k] == '\t' || text[k] == '\r') {
		k++
	}
	if k >= len(text) || text[k] == '\n' {
		return true
	}
	last, _ := utf8.DecodeLastRuneInString(pending)
	if strings.ContainsRune(".!?…:;", last) || isCloser(last) {
		return true
	}
	next, _ := utf8.DecodeRuneInString(text[k:])
	return !unicode.IsLower(next)
}

func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', '»', ')', ']', '}':
		return true
	}
	return false
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpaces(text string, i int) int {
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += size
	}
	return i
}

// nextWord returns the word starting at i, with leading opening quotes and
// brackets removed.
func nextWord(text string, i int) string {
	j := i
	for j < len(text) {
		r, size := utf8.DecodeRuneInString(text[j:])
		if unicode.IsSpace(r) {
			break
		}
		j += size
	}
	return strings.TrimLeft(text[i:j], "\"'“‘«([`")
}

// wordBefore returns the token that ends at the period at i, without
// leading quotes or brackets.
func wordBefore(text string, start, i int) string {
	j := i
	for j > start {
		r, size := utf8.DecodeLastRuneInString(text[start:j])
		if unicode.IsSpace(r) {
			break
		}
		j -= size
	}
	return strings.TrimLeft(text[j:i], "\"'“‘«([")
}

func trimWord(w string) string {
	return strings.TrimRightFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// isInitial matches a single capital letter: "F" in "John F. Kennedy".
func isInitial(w string) bool {
	r, size := utf8.DecodeRuneInString(w)
	return size == len(w) && unicode.IsUpper(r)
}

func isAcronym(w string) bool {
	w = trimWord(w)
	if len(w) < 2 {
		return false
	}
	for _, r := range w {
		if !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

func isDigits(w string) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// isOpener reports whether w is a word that typically starts a sentence,
// which resolves "in the U.S. The talks…" versus "U.S. President…".
func isOpener(w string) bool {
	if w == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) {
		return false
	}
	return sentenceOpeners[strings.ToLower(trimWord(w))]
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// titleAbbrev never end a sentence: they precede a name.
var titleAbbrev = set("mr", "mrs", "ms", "messrs", "dr", "prof", "gen", "lt", "col", "maj", "capt",
	"cpt", "sgt", "cpl", "pvt", "adm", "cmdr", "cdr", "brig", "gov", "sen", "rep", "reps", "pres",
	"rev", "hon", "amb", "supt", "det", "insp", "atty", "sr", "st", "mt", "ft", "fr", "sec", "secy",
	"gens", "sens", "lt.-gen", "lt.-col", "maj.-gen", "brig.-gen", "e.g", "i.e", "cf", "vs", "v", "viz", "approx")

var monthAbbrev = set("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec")

var numberAbbrev = set("no", "nos", "vol", "p", "pp", "fig", "art", "ch", "sec", "para", "ref", "op")

var timeAbbrev = set("a.m", "p.m", "am", "pm")

// timeFollower words commonly follow "p.m." inside the same sentence.
var timeFollower = set("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
	"january", "february", "march", "april", "may", "june", "july", "august", "september",
	"october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
	"sept", "oct", "nov", "dec", "local", "eastern", "central", "pacific", "mountain", "gmt", "utc",
	"et", "est", "edt", "pt", "pst", "pdt", "ct", "cst", "cdt", "bst", "cet")

var otherAbbrev = set("inc", "co", "corp", "ltd", "llc", "plc", "jr", "bros", "etc", "al", "dept",
	"univ", "assn", "ave", "blvd", "rd", "hwy", "est", "ph.d", "u.s", "u.k", "u.n", "e.u")

// sentenceOpeners are capitalised function words and pronouns that begin
// sentences far more often than they continue a name.
var sentenceOpeners = set("the", "a", "an", "he", "she", "it", "they", "we", "i", "you", "his", "her",
	"its", "their", "our", "my", "this", "that", "these", "those", "there", "here", "but", "and",
	"or", "so", "yet", "in", "on", "at", "for", "from", "by", "with", "after", "before", "when",
	"while", "as", "if", "since", "although", "though", "because", "during", "what", "who", "how",
	"why", "where", "which", "one", "some", "many", "most", "all", "both", "no", "not", "now",
	"then", "still", "also", "meanwhile", "however", "instead", "last", "earlier", "later", "today",
	"yesterday", "officials", "police", "authorities", "according", "under", "over", "about",
	"to", "of", "such", "each", "every", "another", "other", "several", "more", "much", "only",
	"even", "just", "nor", "once", "among", "despite", "it's", "he's", "she's", "that's", "there's")
