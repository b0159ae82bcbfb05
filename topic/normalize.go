package topic

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// zone says where in an article a token stands. Headlines decide what a
// story is about, so the zones are weighted differently by the scorers.
type zone uint8

const (
	zoneTitle zone = iota // the headline
	zoneLead              // a feed description, or the first sentences of full text
	zoneBody              // the rest of a full text
	numZones
)

func (z zone) String() string {
	switch z {
	case zoneTitle:
		return "title"
	case zoneLead:
		return "lead"
	default:
		return "body"
	}
}

// leadChars is how much of a text counts as its lead. Feed descriptions are
// usually shorter and fall entirely in the lead; with full text, only the
// opening carries lead weight.
const leadChars = 420

// token is one normalised word: lowercase ASCII letters and digits, no
// diacritics, no apostrophes.
type token struct {
	raw  string // normalised surface form, used for prefix terms
	stem string // raw after light plural stemming, used for exact terms
	zone zone
}

// doc is an article split into normalised tokens, shared by every topic
// that scores it.
type doc struct {
	toks []token
	// zoneLen counts tokens per zone, so scorers can tell a feed teaser from
	// full text.
	zoneLen [numZones]int
	// titleColon is the number of headline tokens before its first colon,
	// or -1: "Iran: talks will go on" and "Talks will go on: Araghchi"
	// attribute the words to a speaker.
	titleColon int
	// titleQuestion is set when the headline asks a question ("Will the
	// ceasefire hold?"): explainers and analysis are written so.
	titleQuestion bool
}

func newDoc(title, text string) *doc {
	d := &doc{toks: make([]token, 0, 8+(len(title)+len(text))/5), titleColon: -1}
	if i := strings.IndexByte(title, ':'); i >= 0 {
		d.titleColon = len(tokenize(title[:i]))
	}
	d.titleQuestion = strings.Contains(title, "?")
	d.add(title, zoneTitle)
	lead, body := splitLead(stripDateline(text))
	d.add(lead, zoneLead)
	d.add(body, zoneBody)
	return d
}

func (d *doc) add(s string, z zone) {
	if s == "" {
		return
	}
	words := tokenize(s)
	d.toks = slices.Grow(d.toks, len(words))
	for _, w := range words {
		d.toks = append(d.toks, token{raw: w, stem: stem(w), zone: z})
		d.zoneLen[z]++
	}
}

// stripDateline removes a leading dateline ("TEHRAN – ", "GAZA CITY, Oct 10
// (Reuters) - "): it says where the report was filed, not what it is
// about, and would otherwise count as a mention of a place.
func stripDateline(text string) string {
	t := strings.TrimLeft(text, " \t\n")
	i := 0
	for i < len(t) && i < 60 {
		c := t[i]
		if (c >= 'a' && c <= 'z') || c == '\n' {
			return text
		}
		if c == '-' || strings.HasPrefix(t[i:], "–") || strings.HasPrefix(t[i:], "—") {
			break
		}
		i++
	}
	if i == 0 || i >= len(t) || i >= 60 {
		return text
	}
	head := strings.TrimSpace(t[:i])
	letters := 0
	for _, r := range head {
		if r >= 'A' && r <= 'Z' {
			letters++
		}
	}
	if letters < 3 {
		return text
	}
	rest := strings.TrimLeft(t[i:], "-–— ")
	return rest
}

// splitLead cuts text after the sentence end nearest to leadChars, so a
// teaser stays whole and full text gets a lead of a sentence or two.
func splitLead(text string) (lead, body string) {
	text = strings.TrimSpace(text)
	if len(text) <= leadChars+leadChars/2 {
		return text, ""
	}
	cut := -1
	for i := leadChars / 2; i < len(text)-1 && i < leadChars*2; i++ {
		if (text[i] == '.' || text[i] == '!' || text[i] == '?') && (text[i+1] == ' ' || text[i+1] == '\n') {
			cut = i + 1
			if i >= leadChars {
				break
			}
		}
	}
	if cut < 0 {
		cut = leadChars
		for cut < len(text) && text[cut] != ' ' {
			cut++
		}
	}
	return text[:cut], text[cut:]
}

// tokenize lowercases s, folds diacritics and special letters to ASCII,
// drops apostrophes (and a possessive 's) and splits on everything else.
// "U.S." and "US" become "usa" so the country is not confused with the
// pronoun; "U.N." becomes "un".
func tokenize(s string) []string {
	if !isASCII(s) {
		s = foldASCII(s)
	}
	// All tokens are written to one buffer and cut from one string, so a
	// long article costs a handful of allocations rather than one per word.
	buf := make([]byte, 0, len(s))
	spans := make([]int, 0, len(s)/3)
	n := len(s)
	i := 0
	for i < n {
		c := s[i]
		if !isAlnum(c) {
			i++
			continue
		}
		begin := len(buf)
		// Dotted acronyms: U.S., U.N., U.K., U.A.E.
		if j, w := acronym(s, i); j > i {
			buf = append(buf, w...)
			spans = append(spans, begin, len(buf))
			i = j
			continue
		}
		upper := true
		start := i
		for i < n {
			c = s[i]
			if isAlnum(c) {
				if c >= 'a' && c <= 'z' {
					upper = false
				}
				buf = append(buf, lower(c))
				i++
				continue
			}
			if c == '\'' && i+1 < n && isAlnum(s[i+1]) && len(buf) > begin {
				// Possessive: drop "'s" when the word ends there.
				if (s[i+1] == 's' || s[i+1] == 'S') && (i+2 >= n || !isAlnum(s[i+2])) {
					i += 2
					break
				}
				i++ // inner apostrophe: Qur'an -> quran
				continue
			}
			break
		}
		if upper && i-start == 2 && string(buf[begin:]) == "us" {
			buf = append(buf[:begin], "usa"...)
		}
		spans = append(spans, begin, len(buf))
	}
	if len(spans) == 0 {
		return nil
	}
	all := string(buf)
	out := make([]string, len(spans)/2)
	for k := range out {
		out[k] = all[spans[2*k]:spans[2*k+1]]
	}
	return out
}

// acronym reads a dotted acronym starting at i and returns the index after
// it and the joined letters, or i when there is none.
func acronym(s string, i int) (int, string) {
	var b []byte
	j := i
	for j+1 < len(s) && isLetter(s[j]) && s[j+1] == '.' {
		b = append(b, lower(s[j]))
		j += 2
		if j < len(s) && isLetter(s[j]) && j+1 < len(s) && isAlnum(s[j+1]) {
			break // "U.S.Army"-style run-on: stop at the acronym
		}
	}
	if len(b) < 2 {
		return i, ""
	}
	w := string(b)
	if w == "us" {
		w = "usa"
	}
	return j, w
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// foldASCII maps s to ASCII: decomposes accented letters and drops the marks,
// maps typographic apostrophes to ', letters without a decomposition
// (ı, ø, ß...) to their usual transliteration, and any other non-ASCII rune
// to a space.
func foldASCII(s string) string {
	s = norm.NFKD.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < utf8.RuneSelf {
			b.WriteRune(r)
			continue
		}
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch r {
		case '\u2019', '\u2018', '\u02bc', '\u02bb', '\u00b4', '\u2032', '`':
			b.WriteByte('\'')
		case 'ı':
			b.WriteByte('i')
		case 'ø', 'Ø':
			b.WriteByte('o')
		case 'æ', 'Æ':
			b.WriteString("ae")
		case 'œ', 'Œ':
			b.WriteString("oe")
		case 'ß':
			b.WriteString("ss")
		case 'đ', 'Đ':
			b.WriteByte('d')
		case 'ł', 'Ł':
			b.WriteByte('l')
		case 'þ', 'Þ':
			b.WriteString("th")
		case 'ð', 'Ð':
			b.WriteByte('d')
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func isAlnum(c byte) bool  { return isLetter(c) || (c >= '0' && c <= '9') }
func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// noStem lists words ending in s that are not plurals and whose stripped
// form would collide with another word (hamas/hama).
var noStem = map[string]bool{
	"hamas": true, "abbas": true, "paris": true, "tunis": true, "texas": true,
	"news": true, "always": true, "perhaps": true, "various": true, "previous": true,
	"famous": true, "serious": true, "arms": true, "thanks": true, "mars": true,
	"aras": true, "idris": true, "fidas": true, "yes": true, "this": true,
	"his": true, "was": true, "has": true, "its": true, "ties": true,
	"cyprus": true, "lens": true, "series": true, "species": true, "means": true,
	"chaos": true, "bias": true, "atlas": true, "gas": true, "alias": true,
	"emirates": true, "wales": true, "netherlands": true, "philippines": true,
	"politics": true, "economics": true, "physics": true, "athletics": true,
	"tennis": true, "axis": true, "iris": true, "davis": true, "lewis": true,
	"louis": true, "dennis": true, "chris": true, "boris": true, "elvis": true,
	"travis": true, "marquis": true, "metropolis": true, "chassis": true,
	"aegis": true, "artemis": true, "curtis": true, "jarvis": true, "penis": true,
}

// stem strips English plural endings: a light rule that catches
// talks/talk and Houthis/Houthi without the surprises of a full stemmer on
// proper names. Verb and noun families (negotiate, negotiations) are matched
// with prefix terms instead.
func stem(w string) string {
	n := len(w)
	if n < 4 || w[n-1] != 's' || noStem[w] {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "sis"):
		// Greek -sis (crisis, analysis) and Latin -us are singular; other -is
		// words are mostly plural demonyms (Saudis, Israelis, Houthis).
		return w
	case n > 4 && strings.HasSuffix(w, "ies"):
		return w[:n-3] + "y"
	case strings.HasSuffix(w, "sses"), strings.HasSuffix(w, "shes"), strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "xes"):
		return w[:n-2]
	}
	return w[:n-1]
}
