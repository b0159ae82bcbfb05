package story

import (
	"hash/fnv"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The clusterer compares items by their words and by the names they share.
// This file turns an item's headline and lead into those features: folded,
// lightly stemmed content words (names and demonyms mapped to one key, so
// "Iranian" meets "Iran"), the subset that are names, and hashes of the
// normalised text that identify wire copies.

// Zone weights: the headline says what the event is; the lead adds detail.
const (
	titleWeight = 1.5
	leadWeight  = 1.0
)

// leadChars bounds how much of an item's text counts as its lead: feed
// teasers fit whole; of a full article only the opening is compared, so a
// teaser and the full text of the same report still look alike.
const leadChars = 400

// minWireLeadWords is how long a lead must be for an identical lead alone
// to mark a wire copy: a shared agency paragraph under a rewritten headline.
// Shorter leads ("Watch the video.") are too generic to prove anything.
const minWireLeadWords = 12

// features are what the clusterer keeps of an item.
type features struct {
	terms []termWeight // content terms, by key; weights before IDF
	names []string     // keys of the terms that are names, sorted
	wire  uint64       // hash of the normalised title and lead; 0 if empty
	lead  uint64       // hash of the normalised lead; 0 if too short
	kind  Kind         // what the headline says the item is
}

type termWeight struct {
	key string
	w   float64
}

// word is one token with what the tokenizer saw of its case and place.
type word struct {
	norm  string // folded, lowercase
	cap   bool   // starts with a capital letter
	upper bool   // all capitals, at least two letters (an acronym: NATO, IAEA)
	start bool   // first word of a sentence, where capitals say nothing
}

func extract(title, text string) features {
	lead := leadOf(stripDateline(text))
	tw := words(title)
	lw := words(lead)

	var f features
	f.kind = KindOf(title)
	f.wire = hashWords(tw, lw)
	if len(lw) >= minWireLeadWords {
		f.lead = hashWords(nil, lw)
	}

	// Names: capitalised words not at a sentence start, acronyms, and words
	// the alias table knows. In a Title Case headline every word is
	// capitalised, so there capitals count only for words the lead also
	// capitalises.
	leadNames := map[string]bool{}
	for _, w := range lw {
		if (w.cap && !w.start) || w.upper {
			leadNames[w.norm] = true
		}
	}
	titleCase := isTitleCase(tw)
	isName := func(w word, inTitle bool) bool {
		if stopwords[w.norm] || notNames[w.norm] {
			return false
		}
		if _, ok := aliases[w.norm]; ok {
			return true
		}
		if w.upper {
			return true
		}
		if !w.cap {
			return false
		}
		if inTitle && titleCase {
			return leadNames[w.norm]
		}
		return !w.start || leadNames[w.norm]
	}

	// Weights add up over the two zones; within a zone a repeated word
	// counts once: a headline that says "Gaza" twice is no more about Gaza.
	names := map[string]bool{}
	zone := func(ws []word, zw float64, inTitle bool) map[string]float64 {
		m := map[string]float64{}
		for _, w := range ws {
			k := termKey(w.norm)
			if k == "" {
				continue
			}
			if isName(w, inTitle) {
				names[k] = true
			}
			m[k] = zw
		}
		return m
	}
	weights := zone(tw, titleWeight, true)
	for k, w := range zone(lw, leadWeight, false) {
		weights[k] += w
	}
	f.terms = make([]termWeight, 0, len(weights))
	for k, w := range weights {
		f.terms = append(f.terms, termWeight{k, w})
	}
	slices.SortFunc(f.terms, func(a, b termWeight) int { return strings.Compare(a.key, b.key) })
	f.names = make([]string, 0, len(names))
	for k := range names {
		f.names = append(f.names, k)
	}
	slices.Sort(f.names)
	return f
}

// leadOf returns the opening of text up to about leadChars, cut after a
// sentence end when there is one, else at a word boundary.
func leadOf(text string) string {
	text = strings.TrimSpace(text)
	if len(text) <= leadChars {
		return text
	}
	cut := -1
	for i := leadChars / 2; i < leadChars && i < len(text)-1; i++ {
		if (text[i] == '.' || text[i] == '!' || text[i] == '?') && text[i+1] == ' ' {
			cut = i + 1
		}
	}
	if cut < 0 {
		cut = leadChars
		for cut > 0 && text[cut] != ' ' {
			cut--
		}
		if cut == 0 {
			cut = leadChars
			for cut < len(text) && !utf8.RuneStart(text[cut]) {
				cut++
			}
		}
	}
	return text[:cut]
}

// stripDateline drops a leading dateline ("TEHRAN –", "GAZA CITY (AP) —"):
// it names where the reporter sat, not what the report is about.
func stripDateline(s string) string {
	i := 0
	for i < len(s) && i < 40 {
		c := s[i]
		if (c >= 'A' && c <= 'Z') || c == ' ' || c == '(' || c == ')' || c == ',' || c == '.' || c == '\'' {
			i++
			continue
		}
		break
	}
	rest := s[i:]
	for _, dash := range []string{"– ", "— ", "- ", "-- "} {
		if strings.HasPrefix(rest, dash) && strings.TrimSpace(s[:i]) != "" && hasUpperRun(s[:i]) {
			return strings.TrimSpace(rest[len(dash):])
		}
	}
	return s
}

// hasUpperRun reports whether s has a word of three or more capitals,
// so "A -" (a sentence) is not taken for a dateline.
func hasUpperRun(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			run++
			if run >= 3 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// hashWords hashes the normalised words of a title and a lead; 0 when both
// are empty, so empty items are never wire copies of each other.
func hashWords(a, b []word) uint64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	h := fnv.New64a()
	for _, w := range a {
		h.Write([]byte(w.norm))
		h.Write([]byte{' '})
	}
	h.Write([]byte{'|'})
	for _, w := range b {
		h.Write([]byte(w.norm))
		h.Write([]byte{' '})
	}
	if s := h.Sum64(); s != 0 {
		return s
	}
	return 1
}

// isTitleCase reports whether a headline capitalises its ordinary words
// (New York Times style), which makes its capitals useless as name evidence.
func isTitleCase(ws []word) bool {
	content, caps := 0, 0
	for _, w := range ws {
		if w.start || len(w.norm) < 4 || stopwords[w.norm] {
			continue
		}
		content++
		if w.cap {
			caps++
		}
	}
	return content >= 3 && caps*4 >= content*3
}

// words splits s into folded, lowercase words, remembering capitals and
// sentence starts. "U.S." and an upper-case "US" become "usa" so the
// country is not the pronoun; possessive "'s" is dropped.
func words(s string) []word {
	if s == "" {
		return nil
	}
	s = fold(s)
	var out []word
	start := true
	i, n := 0, len(s)
	for i < n {
		c := s[i]
		if !isAlnum(c) {
			switch c {
			case '.', '!', '?', ':', ';':
				// "U.S." is handled below; a full stop elsewhere ends a sentence
				// only when a space follows.
				if c == ':' || c == ';' || i+1 >= n || s[i+1] == ' ' {
					start = true
				}
			case '"', '\'', '(', ')', '[', ']', '-', ',', ' ', '|':
			default:
			}
			i++
			continue
		}
		if j, w := dottedAcronym(s, i); j > i {
			out = append(out, word{norm: w, cap: true, upper: true, start: start})
			start = false
			i = j
			continue
		}
		begin := i
		var b strings.Builder
		upper, letters := true, 0
		for i < n {
			c = s[i]
			if isAlnum(c) {
				if c >= 'a' && c <= 'z' {
					upper = false
				}
				if isLetter(c) {
					letters++
				}
				b.WriteByte(lower(c))
				i++
				continue
			}
			if c == '\'' && i+1 < n && isAlnum(s[i+1]) && b.Len() > 0 {
				if (s[i+1] == 's' || s[i+1] == 'S') && (i+2 >= n || !isAlnum(s[i+2])) {
					i += 2 // possessive
					break
				}
				i++ // inner apostrophe: Qur'an
				continue
			}
			break
		}
		w := word{norm: b.String(), cap: s[begin] >= 'A' && s[begin] <= 'Z', start: start}
		w.upper = upper && letters >= 2
		if w.upper && w.norm == "us" {
			w.norm = "usa"
		}
		out = append(out, w)
		start = false
	}
	return out
}

// dottedAcronym reads U.S., U.N., U.A.E. starting at i.
func dottedAcronym(s string, i int) (int, string) {
	var b []byte
	j := i
	for j+1 < len(s) && isLetter(s[j]) && s[j+1] == '.' && (j == i || s[j-1] == '.') {
		b = append(b, lower(s[j]))
		j += 2
	}
	if len(b) < 2 {
		return i, ""
	}
	if w := string(b); w != "us" {
		return j, w
	}
	return j, "usa"
}

// fold maps s to ASCII: accents dropped, typographic apostrophes made
// plain, other non-ASCII runes (dashes, quotes, scripts) made spaces.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ReplaceAll(s, "&#39;", "'")
	}
	s = norm.NFKD.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r):
		case r == '\u2019' || r == '\u2018' || r == '\u02bc' || r == '\u02bb':
			b.WriteByte('\'')
		case r == 'ı':
			b.WriteByte('i')
		case r == 'ø' || r == 'Ø':
			b.WriteByte('o')
		case r == 'ß':
			b.WriteString("ss")
		default:
			b.WriteByte(' ')
		}
	}
	return strings.ReplaceAll(b.String(), "&#39;", "'")
}

func isAlnum(c byte) bool  { return isLetter(c) || (c >= '0' && c <= '9') }
func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// termKey maps a folded word to the key it is compared by: "" for stop
// words and bare numbers (casualty counts differ between outlets reporting
// the same strike), an alias's canonical name, else a light stem.
func termKey(w string) string {
	if len(w) < 2 || stopwords[w] {
		return ""
	}
	if w[0] >= '0' && w[0] <= '9' {
		return ""
	}
	if a, ok := aliases[w]; ok {
		return a
	}
	k := stemWord(americanize(w))
	if s, ok := synonyms[k]; ok {
		return s
	}
	return k
}

// synonyms map the words news reports use interchangeably for one kind of
// happening to one key, after stemming: outlets vary their verbs ("kills",
// "dies") more than their facts. Each group is a general class of event
// or actor, never the wording of one report.
var synonyms = map[string]string{}

func init() {
	for _, group := range []string{
		// deaths: the plain verbs and nouns of a death toll
		"kill killed killing dead death deaths die died",
		// military strikes: the words for one armed attack
		"strike strikes airstrike airstrikes attack attacks attacked raid raids raided bombing bombed bombs shelling",
		// warnings and threats of what an actor will do
		"warn warns warned warning threaten threatens threatened threat",
		// stopping missiles or drones in flight
		"intercept intercepts intercepted thwart thwarts thwarted foil foils foiled",
		// meetings between officials
		"meet meets meeting meetings summit summits talks talk",
		// a halt to fighting
		"ceasefire truce",
		// people held by an armed group
		"hostage hostages captive captives",
		// people who report the news
		"journalist journalists photojournalist reporter reporters",
	} {
		f := strings.Fields(group)
		canon := stemWord(americanize(f[0]))
		for _, w := range f {
			synonyms[stemWord(americanize(w))] = canon
		}
	}
}

// americanize folds British spellings to American ones so that outlets on
// either side of the Atlantic meet: programme, defence, organise, centre.
func americanize(w string) string {
	n := len(w)
	switch {
	case n >= 7 && strings.HasSuffix(w, "mme"):
		return w[:n-2]
	case n >= 6 && strings.HasSuffix(w, "ence") && (w[n-5] == 'f' || w[n-5] == 'c'):
		// defence, offence, licence -> defense, offense, license
		return w[:n-2] + "se"
	case n >= 6 && (strings.HasSuffix(w, "ise") || strings.HasSuffix(w, "ised") || strings.HasSuffix(w, "ising") || strings.HasSuffix(w, "isation")):
		i := strings.LastIndex(w, "is")
		return w[:i] + "iz" + w[i+2:]
	case n >= 6 && strings.HasSuffix(w, "tre"):
		return w[:n-2] + "er"
	case n >= 6 && strings.HasSuffix(w, "our"):
		return w[:n-2] + "r"
	}
	return w
}

// stemWord strips plural and verb endings with a few rules: enough for
// kills/killed/killing and talks/talk to meet, light enough not to mangle
// names (Hamas stays Hamas).
func stemWord(w string) string {
	n := len(w)
	if n < 4 || noStem[w] {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ies") && n > 4:
		return w[:n-3] + "y"
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
		return w
	case strings.HasSuffix(w, "sses"), strings.HasSuffix(w, "shes"), strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "xes"):
		return w[:n-2]
	case strings.HasSuffix(w, "s"):
		return stemVerb(w[:n-1])
	}
	return stemVerb(w)
}

func stemVerb(w string) string {
	// strike/striking, massacre/massacred: drop a final e so both forms meet.
	if len(w) >= 5 && w[len(w)-1] == 'e' {
		return w[:len(w)-1]
	}
	n := len(w)
	var base string
	switch {
	case n >= 6 && strings.HasSuffix(w, "ing"):
		base = w[:n-3]
	case n >= 5 && strings.HasSuffix(w, "ed") && !strings.HasSuffix(w, "eed"):
		base = w[:n-2]
	default:
		return w
	}
	// stopped -> stop, but killed -> kill.
	if m := len(base); m >= 4 && base[m-1] == base[m-2] && !strings.ContainsRune("lsz", rune(base[m-1])) {
		base = base[:m-1]
	}
	return base
}

// stopwords are function words and the verbs of attribution every report
// uses; they say nothing about which event it is.
var stopwords = setOf(`a about above after again against all also am amid among an and any are as at be
been before being below between both but by can could did do does doing down during each even ever few for
from further had has have having he her here hers herself him himself his how i if in into is it its itself
just me more most my myself no nor not now of off on once only or other our ours ourselves out over own same
she should so some such than that the their theirs them themselves then there these they this those through
to too under until up upon very was we were what when where which while who whom why will with within without
would you your yours yourself yourselves says said say saying told tells according report reports reported
reportedly may might must shall via despite since just yet still latest live update updates news watch video
photos how what whats why who new day today week amp quot mr ms`)

// notNames are capitalised words that are not names: titles and calendar
// words. "President X" shares X with another report, not "President".
var notNames = setOf(`president minister prime foreign king emir sheikh crown prince secretary general chief
leader spokesman spokesperson official officials ambassador envoy army forces government state senator sir
dr monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december breaking exclusive analysis opinion explainer`)

// aliases map demonyms, capitals standing for their state, and common
// spelling variants to one key, so "Iranian", "Tehran" and "Iran" meet.
var aliases = map[string]string{}

func init() {
	for _, group := range []string{
		"iran iranian iranians tehran teheran",
		"israel israeli israelis",
		"palestine palestinian palestinians",
		"gaza gazan gazans",
		"lebanon lebanese beirut",
		"syria syrian syrians damascus",
		"iraq iraqi iraqis baghdad",
		"jordan jordanian jordanians amman",
		"egypt egyptian egyptians cairo",
		"saudi saudis riyadh",
		"yemen yemeni yemenis sanaa",
		"houthi houthis huthi huthis",
		"hezbollah hizbullah hizbollah hizballah",
		"oman omani muscat",
		"uae emirati emiratis",
		"qatar qatari qataris doha",
		"bahrain bahraini manama",
		"kuwait kuwaiti",
		"turkey turkiye turkish ankara",
		"usa american americans",
		"uk britain british",
		"russia russian russians moscow kremlin",
		"ukraine ukrainian ukrainians kyiv kiev",
		"china chinese beijing",
		"france french",
		"germany german",
		"europe european europeans",
		"zelensky zelenskyy zelenskiy",
		"netanyahu netanyahou",
		"erdogan",
		"putin",
		"trump",
		"hamas",
		"nato",
		"un",
	} {
		f := strings.Fields(group)
		for _, w := range f {
			aliases[w] = f[0]
		}
	}
}

// noStem lists words ending in s whose stripped form would be another word
// or no word.
var noStem = setOf(`hamas abbas paris tunis texas news always perhaps various previous famous serious arms
thanks gas yes this his was has its ties cyprus lens series species means chaos bias atlas alias emirates
politics economics physics tennis axis crisis analysis basis thesis`)

func setOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}
