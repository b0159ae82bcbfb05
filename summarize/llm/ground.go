package llm

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/summarize"
)

// The grounding check: every number, date and name in a model's answer
// must be in the text the model was given. It is deliberately literal (a
// faithful summary reuses the article's names and figures) and errs towards
// rejecting: a wrongly rejected answer costs only the extractive summary in
// its place, a wrongly accepted one puts an invented fact in a channel.
//
// What counts as a name: a capitalised word that does not open a sentence
// (or a quotation). An opening word is checked too when it plainly is a
// name: an acronym ("IAEA inspectors…"), a possessive ("Iran's…"), the start
// of a capitalised phrase ("Abbas Araghchi said…") or the subject of a
// reporting verb ("Netanyahu said…"). Names are matched word by word,
// ignoring case, with these variants:
//   - "U.S.", "US", "USA" and "United States" are one name, and likewise
//     for the UK, UN, EU and UAE (aliases);
//   - an acronym matches the initials of a capitalised phrase, either way
//     round ("IAEA" / "International Atomic Energy Agency");
//   - possessives ("Iran's") and dots ("U.N.") are ignored;
//   - a word may differ from the article's by an ending of up to four
//     letters on a stem of four or more: plurals and demonyms ("Houthis" /
//     "Houthi", "Iranian" / "Iran", "Palestinian" / "Palestine").
//
// Numbers are compared as digit strings with thousands separators and
// leading zeros dropped ("1,200" = "1200"; Arabic-Indic digits count as
// their ASCII values); the number words two to twenty and the tens match
// their digits. Month and weekday names are compared capitalised only, so
// the modal "may" does not vouch for the month May; their abbreviations
// match the full names.
//
// Names in an article written in a non-Latin script cannot be matched
// against a romanised summary by spelling, so for such articles only
// numbers and dates are checked (plus length and language).

// evidence is what the source text vouches for.
type evidence struct {
	words   map[string]bool // normalised word forms, any case
	stems   map[string]bool // words less an ending of 1-4 letters
	numbers map[string]bool // normalised numbers
	aliases map[string]bool // canonical alias names present
	// initials of the capitalised phrases, and the acronyms, both in
	// lower case.
	initials, acronyms map[string]bool
	// latin is false for text mostly in other scripts, whose names the
	// check cannot match.
	latin bool
}

func newEvidence(texts ...string) *evidence {
	ev := &evidence{words: map[string]bool{}, stems: map[string]bool{}, numbers: map[string]bool{}, aliases: map[string]bool{},
		initials: map[string]bool{}, acronyms: map[string]bool{}}
	var latin, letters int
	for _, text := range texts {
		text = asciiDigits(text)
		for _, r := range text {
			if unicode.IsLetter(r) {
				letters++
				if unicode.In(r, unicode.Latin) {
					latin++
				}
			}
		}
		for _, n := range numberRe.FindAllString(text, -1) {
			ev.numbers[normNumber(n)] = true
		}
		fields := strings.Fields(text)
		lower := make([]string, len(fields))
		for i, f := range fields {
			lower[i] = dotless(strings.ToLower(trimPunct(f)))
			if c, ok := upperAlias[trimPunct(stripPossessive(f))]; ok {
				ev.aliases[c] = true
			}
			if w := trimPunct(stripPossessive(trimPunct(f))); isAcronym(w) {
				ev.acronyms[dotless(strings.ToLower(w))] = true
			}
			for _, part := range splitParts(trimPunct(f)) {
				n := normWord(part)
				if n == "" {
					continue
				}
				ev.words[n] = true
				if v, ok := numberWords[n]; ok {
					ev.numbers[v] = true
				}
				if isCalendar(n) {
					continue
				}
				if strings.HasSuffix(n, "e") && utf8.RuneCountInString(n) > 4 {
					ev.words[strings.TrimSuffix(n, "e")] = true
				}
				for _, s := range shortenings(n) {
					ev.stems[s] = true
				}
			}
		}
		for i := range lower {
			if c, k := phraseAlias(lower[i:]); k > 0 {
				ev.aliases[c] = true
			}
			// Every capitalised phrase from here, for acronyms.
			if w := trimPunct(fields[i]); isUpperStart(w) && !stopwords[strings.ToLower(w)] {
				if _, caps := capitalRun(fields, i); len(caps) >= 2 {
					for n := 2; n <= len(caps); n++ {
						ev.initials[initialsOf(caps[:n])] = true
					}
				}
			}
		}
	}
	ev.latin = letters == 0 || float64(latin) >= 0.5*float64(letters)
	return ev
}

// ungrounded returns the numbers and names in text that the evidence does
// not vouch for, in order of appearance and without repeats.
func ungrounded(text string, ev *evidence) []string {
	var bad []string
	seen := map[string]bool{}
	flag := func(s string) {
		if !seen[s] {
			seen[s] = true
			bad = append(bad, s)
		}
	}
	for _, sent := range summarize.SplitSentences(text) {
		words := strings.Fields(sent)
		skip := 0
		for i, raw := range words {
			for _, n := range numberRe.FindAllString(asciiDigits(raw), -1) {
				if !ev.numbers[normNumber(n)] {
					flag(n)
				}
			}
			core := trimPunct(raw)
			if v, ok := numberWords[strings.ToLower(core)]; ok && !ev.words[strings.ToLower(core)] && !ev.numbers[v] {
				flag(core)
			}
			if skip > 0 {
				skip--
				continue
			}
			if !ev.latin {
				continue
			}
			// "International Atomic Energy Agency" where the article
			// has "IAEA".
			if isUpperStart(core) && (i > 0 || openerIsName(words, i, core)) {
				if end, caps := capitalRun(words, i); len(caps) >= 2 && ev.acronyms[initialsOf(caps)] {
					skip = end - i - 1
					continue
				}
			}
			// "United States", "United Nations"…: an alias of a name the
			// article gives in another form.
			if c, k := phraseAlias(lowerWords(words[i:])); k > 0 && isUpperStart(core) && ev.aliases[c] {
				skip = k - 1
				continue
			}
			opening := i == 0 || startsQuote(raw)
			for j, part := range splitParts(core) {
				if !isUpperStart(part) || allowed[dotless(strings.ToLower(stripPossessive(part)))] {
					continue
				}
				if j == 0 && opening && !openerIsName(words, i, part) {
					continue
				}
				if !ev.knowsName(part) {
					flag(stripPossessive(part))
				}
			}
		}
	}
	return bad
}

// knowsName reports whether a capitalised word is vouched for.
func (ev *evidence) knowsName(w string) bool {
	if c, ok := upperAlias[stripPossessive(w)]; ok {
		// Only the article's capitalised forms vouch for an alias: its
		// "us" may be the pronoun.
		return ev.aliases[c]
	}
	if isAcronym(w) && ev.initials[dotless(strings.ToLower(stripPossessive(w)))] {
		return true
	}
	n := normWord(w)
	if n == "" || ev.words[n] || ev.stems[n] {
		return true
	}
	if isCalendar(n) {
		return false
	}
	for _, s := range shortenings(n) {
		if ev.words[s] {
			return true
		}
	}
	return false
}

// openerIsName decides whether the capitalised first word of a sentence or
// quotation is a name to check (see the package comment above).
func openerIsName(words []string, i int, w string) bool {
	lw := strings.ToLower(stripPossessive(w))
	if stopwords[lw] || generic[lw] {
		return false
	}
	if isAcronym(w) || stripPossessive(trimPunct(words[i])) != trimPunct(words[i]) {
		return true
	}
	if i+1 < len(words) && !strings.ContainsAny(words[i], ",;:") {
		next := trimPunct(words[i+1])
		if isUpperStart(next) || reporting[strings.ToLower(next)] {
			return true
		}
	}
	return false
}

// connectors may join the words of a name ("Ministry of Foreign Affairs").
var connectors = map[string]bool{"of": true, "for": true, "and": true, "the": true, "on": true, "de": true, "al": true}

// capitalRun returns the end of the capitalised phrase starting at
// words[i] and its capitalised words; connectors count inside it.
func capitalRun(words []string, i int) (end int, caps []string) {
	end = i
	for j := i; j < len(words); j++ {
		w := trimPunct(words[j])
		switch {
		case isUpperStart(w):
			caps = append(caps, w)
			end = j + 1
		case connectors[w] && j+1 < len(words) && isUpperStart(trimPunct(words[j+1])):
		default:
			return end, caps
		}
		// A comma or full stop ends the name.
		if j+1 < len(words) && strings.ContainsAny(words[j][len(words[j])-1:], ",.;:)") {
			return end, caps
		}
	}
	return end, caps
}

// initialsOf is the lower-case initials of words.
func initialsOf(words []string) string {
	var b strings.Builder
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// shortenings returns w less each ending of one to four letters that
// leaves a stem of at least four.
func shortenings(w string) []string {
	var out []string
	r := []rune(w)
	for k := 1; k <= 4 && len(r)-k >= 4; k++ {
		out = append(out, string(r[:len(r)-k]))
	}
	return out
}

// numberRe finds numbers: digits with optional thousands separators or a
// decimal part ("1,200", "3.5", "2025").
var numberRe = regexp.MustCompile(`\d+(?:[.,]\d+)*`)

// thousandsRe is a number whose commas separate thousands.
var thousandsRe = regexp.MustCompile(`^\d{1,3}(?:,\d{3})+(?:\.\d+)?$`)

// normNumber drops thousands separators and leading zeros; a comma that
// does not separate thousands is a decimal comma ("3,5").
func normNumber(n string) string {
	if strings.Contains(n, ",") {
		if thousandsRe.MatchString(n) {
			n = strings.ReplaceAll(n, ",", "")
		} else {
			n = strings.ReplaceAll(n, ",", ".")
		}
	}
	for len(n) > 1 && n[0] == '0' && n[1] >= '0' && n[1] <= '9' {
		n = n[1:]
	}
	return n
}

// asciiDigits turns Arabic-Indic and Extended Arabic-Indic (Persian)
// digits and separators into ASCII, so "۱۴۰۳" matches "1403".
func asciiDigits(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 0x0660 && r <= 0x06F9 }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0x0660 && r <= 0x0669:
			return '0' + r - 0x0660
		case r >= 0x06F0 && r <= 0x06F9:
			return '0' + r - 0x06F0
		case r == 0x066B: // Arabic decimal separator
			return '.'
		case r == 0x066C: // Arabic thousands separator
			return ','
		}
		return r
	}, s)
}

// numberWords maps number words to digits; "one" is left out, being
// mostly a pronoun.
var numberWords = map[string]string{
	"two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
	"nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14",
	"fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19",
	"twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
	"eighty": "80", "ninety": "90",
}

// normWord is the form words are compared in: lower case, no possessive,
// no dots; month and weekday names, when capitalised, become a canonical
// form that lower-case words cannot produce.
func normWord(w string) string {
	w = trimPunct(stripPossessive(trimPunct(w)))
	if w == "" {
		return ""
	}
	l := dotless(strings.ToLower(w))
	if isUpperStart(w) {
		if c, ok := calendar[l]; ok {
			return c
		}
	}
	return l
}

// calendar maps month and weekday names and abbreviations to a canonical
// form starting with a character no word has.
var calendar = func() map[string]string {
	m := map[string]string{}
	add := func(canon string, forms ...string) {
		for _, f := range forms {
			m[f] = "\x00" + canon
		}
	}
	add("jan", "january", "jan")
	add("feb", "february", "feb")
	add("mar", "march", "mar")
	add("apr", "april", "apr")
	add("may", "may")
	add("jun", "june", "jun")
	add("jul", "july", "jul")
	add("aug", "august", "aug")
	add("sep", "september", "sep", "sept")
	add("oct", "october", "oct")
	add("nov", "november", "nov")
	add("dec", "december", "dec")
	add("mon", "monday", "mon")
	add("tue", "tuesday", "tue", "tues")
	add("wed", "wednesday", "wed")
	add("thu", "thursday", "thu", "thur", "thurs")
	add("fri", "friday", "fri")
	add("sat", "saturday", "sat")
	add("sun", "sunday", "sun")
	return m
}()

func isCalendar(n string) bool { return strings.HasPrefix(n, "\x00") }

// upperAlias maps the capitalised short forms of common names to a
// canonical name; they count only in capitals, so the pronoun "us" does
// not vouch for the United States.
var upperAlias = map[string]string{
	"US": "us", "U.S.": "us", "U.S": "us", "USA": "us", "U.S.A.": "us", "U.S.A": "us",
	"UK": "uk", "U.K.": "uk", "U.K": "uk",
	"UN": "un", "U.N.": "un", "U.N": "un",
	"EU": "eu", "E.U.": "eu", "E.U": "eu",
	"UAE": "uae", "U.A.E.": "uae", "U.A.E": "uae",
}

// phraseAliases are the spelled-out forms, as lower-case word sequences.
var phraseAliases = []struct {
	words []string
	canon string
}{
	{[]string{"united", "arab", "emirates"}, "uae"},
	{[]string{"united", "states", "of", "america"}, "us"},
	{[]string{"united", "states"}, "us"},
	{[]string{"united", "kingdom"}, "uk"},
	{[]string{"united", "nations"}, "un"},
	{[]string{"european", "union"}, "eu"},
}

// phraseAlias matches a spelled-out alias at the start of words (lower
// case, punctuation trimmed), returning its canonical name and length.
func phraseAlias(words []string) (string, int) {
	for _, a := range phraseAliases {
		if len(words) < len(a.words) {
			continue
		}
		ok := true
		for i, w := range a.words {
			if w != strings.TrimSuffix(words[i], "'s") {
				ok = false
				break
			}
		}
		if ok {
			return a.canon, len(a.words)
		}
	}
	return "", 0
}

func lowerWords(words []string) []string {
	n := min(len(words), 4)
	out := make([]string, n)
	for i := range n {
		out[i] = strings.ToLower(trimPunct(stripPossessive(trimPunct(words[i]))))
	}
	return out
}

// allowed are capitalised words that name nobody.
var allowed = map[string]bool{"i": true, "mr": true, "mrs": true, "ms": true, "dr": true, "jr": true, "sr": true, "prof": true, "sir": true}

// generic are the plural nouns that open news sentences as speakers
// ("Officials said…") without naming anyone.
var generic = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`officials authorities police witnesses analysts experts residents critics
		researchers scientists doctors protesters demonstrators lawmakers legislators prosecutors investigators
		diplomats sources reports troops forces militants rebels activists medics rescuers officers soldiers
		supporters opponents leaders negotiators ministers observers inspectors monitors families survivors
		lawyers judges voters students workers journalists people others`) {
		generic[w] = true
	}
}

// reporting verbs make the word before them a speaker, whose name must be
// grounded even at the start of a sentence.
var reporting = map[string]bool{
	"said": true, "says": true, "told": true, "announced": true, "warned": true, "added": true,
	"stated": true, "reported": true, "claimed": true, "denied": true, "accused": true, "urged": true,
	"confirmed": true, "insisted": true, "argued": true, "noted": true, "called": true, "vowed": true,
	"threatened": true, "demanded": true, "rejected": true, "welcomed": true, "condemned": true,
}

// splitParts splits a hyphenated or slashed word ("Saudi-led", "U.S./Israeli").
func splitParts(w string) []string {
	return strings.FieldsFunc(w, func(r rune) bool { return r == '-' || r == '/' || r == '–' || r == '—' })
}

// trimPunct removes punctuation around a word, keeping dots of
// abbreviations ("U.S.") and inner apostrophes.
func trimPunct(w string) string {
	w = strings.TrimLeftFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	w = strings.TrimRightFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' })
	// A dot ends an abbreviation only if the word has another one inside
	// ("U.S."); otherwise it is the sentence's full stop.
	if strings.HasSuffix(w, ".") && !strings.Contains(w[:len(w)-1], ".") {
		w = strings.TrimRight(w, ".")
	}
	return w
}

func stripPossessive(w string) string {
	for _, suf := range []string{"'s", "’s", "'", "’"} {
		if strings.HasSuffix(w, suf) {
			return strings.TrimSuffix(w, suf)
		}
	}
	return w
}

func dotless(w string) string { return strings.ReplaceAll(w, ".", "") }

func isUpperStart(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

func startsQuote(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return strings.ContainsRune("\"'“‘«(", r)
}

// isAcronym is an all-capitals word of two letters or more ("IAEA").
func isAcronym(w string) bool {
	w = dotless(stripPossessive(w))
	n := 0
	for _, r := range w {
		if !unicode.IsUpper(r) {
			return false
		}
		n++
	}
	return n >= 2
}
