package summarize

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean removes what news pages and feeds wrap around an article: HTML
// remnants, datelines and bylines at the start ("TEHRAN (Reuters) -",
// "(CNN) --", "By JOHN SMITH, Associated Press", "Updated 14:03 GMT"),
// subscribe / follow / donate appeals, "Thank you!" sign-offs, cookie and
// paywall notices, "Read more" and "Click here" lines, photo captions and
// credits, share-button text, editor's notes, reporting credits, copyright
// lines and "The post X appeared first on Y". Once such a trailer starts
// near the end, everything after it goes too, so end-of-page boilerplate
// never reaches a summary.
//
// Clean only deletes: apart from decoding HTML entities and normalising
// whitespace, its output is a subsequence of its input. Paragraphs stay on
// separate lines.
func Clean(text string) string {
	return joinSentences(cleanSentences(text))
}

// sentence is one kept sentence and the paragraph it came from.
type sentence struct {
	text string
	para int
}

func joinSentences(ss []sentence) string {
	var b strings.Builder
	for i, s := range ss {
		if i > 0 {
			if s.para != ss[i-1].para {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(s.text)
	}
	return b.String()
}

// verdict is what the cleaner decides about one sentence.
type verdict int

const (
	keep verdict = iota
	drop
	// dropTail marks a sentence that usually opens a page's trailer
	// (credits, copyright, sign-up appeals): what follows it is dropped
	// too when little article text remains after it.
	dropTail
)

// tailWords is how much text may follow a trailer marker for it to count
// as the start of the trailer rather than boilerplate inside the article.
const tailWords = 60

func cleanSentences(text string) []sentence {
	// Undecodable bytes become spaces first: stripping a tag from between
	// two of them would join them into a character the text never had
	// ("\xd6<A>\x8e" became "֎"), and deleting one could complete an
	// entity ("&#10\xbe0" became "d"). Both found by FuzzClean.
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, " ")
	}
	text = normalizeSpace(stripHTML(text))
	tokenized := looksTokenized(text)
	var kept []sentence
	var words []int // words in kept[i]
	tailAt := -1    // index in kept where the trailer starts
	first := true
	for p, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if first {
			line = stripLead(line)
			if line == "" {
				continue
			}
		}
		if isBylineLine(line) {
			continue
		}
		for _, s := range SplitSentences(line) {
			if first {
				s = stripLead(s)
				if s == "" {
					continue
				}
				first = false
			}
			if s = stripCredits(s); s == "" {
				continue
			}
			switch judge(s, tokenized) {
			case dropTail:
				if tailAt < 0 {
					tailAt = len(kept)
				}
				continue
			case drop:
				continue
			}
			kept = append(kept, sentence{text: s, para: p})
			words = append(words, countWords(s))
		}
	}
	if tailAt > 0 {
		before, after := 0, 0
		for i, n := range words {
			if i < tailAt {
				before += n
			} else {
				after += n
			}
		}
		// Only a trailer if little follows it, and less than precedes
		// it: a sign-up line in the middle of an article, or a share bar
		// above it, is not the article's end.
		if after <= tailWords && after <= before {
			kept = kept[:tailAt]
		}
	}
	// Trailing link headlines and list fragments ("Boston Marathon
	// timeline .") are leftovers of the page around the article.
	for len(kept) > 0 && !tokenized && isFragment(kept[len(kept)-1].text) {
		kept = kept[:len(kept)-1]
	}
	return kept
}

var (
	scriptRe = regexp.MustCompile(`(?is)<(script|style|noscript|iframe)\b.*?</(script|style|noscript|iframe)\s*>`)
	tagRe    = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]{0,1000}>|<!--.*?-->|<![^<>]{0,200}>`)
)

var blockTags = set("p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
	"blockquote", "tr", "td", "th", "table", "section", "article", "header", "footer", "figure",
	"figcaption", "hr", "pre", "aside", "nav", "dd", "dt", "dl")

// stripHTML decodes entities and removes tags, turning block-level tags
// into line breaks. Text from feeds is usually stripped already; this
// handles the remnants.
func stripHTML(s string) string {
	if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	if strings.IndexByte(s, '<') < 0 {
		return s
	}
	s = scriptRe.ReplaceAllString(s, "\n")
	return tagRe.ReplaceAllStringFunc(s, func(tag string) string {
		m := tagRe.FindStringSubmatch(tag)
		if m[2] != "" && blockTags[strings.ToLower(m[2])] {
			return "\n"
		}
		return ""
	})
}

// normalizeSpace turns every kind of space into ' ', drops zero-width
// characters and carriage returns, and collapses runs of spaces.
func normalizeSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			i++
			switch c {
			case '\n', '\r':
				if c == '\r' && i < len(s) && s[i] == '\n' {
					continue
				}
				b.WriteByte('\n')
				space = false
			case ' ', '\t', '\v', '\f':
				if !space {
					b.WriteByte(' ')
					space = true
				}
			default:
				b.WriteByte(c)
				space = false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\u2028' || r == '\u2029' || r == '\u0085':
			b.WriteByte('\n')
			space = false
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff' || r == '\u00ad':
		case unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
				space = true
			}
		case r == utf8.RuneError && size == 1:
			// Invalid byte: drop it rather than carry mojibake forward.
		default:
			b.WriteRune(r)
			space = false
		}
	}
	return b.String()
}

// looksTokenized reports text in the research-corpus style where every
// period is detached ("in june . in an email"): there, a detached period
// is a normal sentence end, not a sign of a headline fragment.
func looksTokenized(s string) bool {
	detached := strings.Count(s, " . ")
	attached := strings.Count(s, ". ") - detached
	// The last period has no space after it: a two-sentence tokenized
	// article has just one " . " and was taken for headline fragments,
	// which emptied it.
	if t := strings.TrimRight(s, " \n"); strings.HasSuffix(t, " .") {
		detached++
	}
	return detached >= 2 && detached > attached
}

// isFragment reports headline or list leftovers that end with a detached
// period ("Obama, Iranian official slam GOP letter on deal .") or a colon.
func isFragment(s string) bool {
	return strings.HasSuffix(s, " .") || strings.HasSuffix(s, ":") || strings.HasSuffix(s, ": .")
}

func countWords(s string) int {
	n := 0
	in := false
	for i := 0; i < len(s); i++ {
		sp := s[i] == ' ' || s[i] == '\n' || s[i] == '\t'
		if !sp && !in {
			n++
		}
		in = !sp
	}
	return n
}

// Leading datelines, bylines and timestamps, matched on the original case.
const (
	month   = `(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)`
	weekday = `(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?`
	date    = `(?:\d{1,2}(?:st|nd|rd|th)?\s+` + month + `\.?,?\s+\d{4}|` + month + `\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})`
	clock   = `(?:\d{1,2}[:.]\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s*(?:GMT|UTC|BST|CET|CEST|EST|EDT|ET|PST|PDT|PT|CST|CDT|CT|IST|AEST|AEDT|HKT|SGT|JST)\b)?|\d{1,2}\s*[AaPp]\.?[Mm]\.?(?:\s*(?:GMT|UTC|BST|ET|EST|EDT|PT))?)`
	stamp   = `(?:` + date + `|` + clock + `|` + weekday + `|\(` + clock + `\))`
	// A place name: capitalised words, allowing Arabic and European
	// particles ("Ras al-Ain", "Rio de Janeiro").
	placeWord = `(?:[A-Z][\p{L}.'’\-]*|(?:al|el|ad|as|ash|an|de|del|da|do|dos|la|le|les|du|von|van|bin|ibn|of|the|sur|upon)(?:-\p{L}+)?)`
	place     = placeWord + `(?:[ ,]+` + placeWord + `){0,5},?`
	outlet    = `(?:CNN(?: ?Money| Business| Travel| Style| Philippines| Arabic)?|Reuters|AP|AFP|UPI|DPA|dpa|Xinhua|Bloomberg|HLN|WIRED|EW(?:\.com)?|Mashable|Variety|Billboard|TIME|Time|Fortune|CNET|Rolling Stone|(?:The )?Hollywood Reporter|The Conversation|Al Jazeera|IRNA|ISNA|Fars|Tasnim|Mehr|Anadolu|TASS|RIA Novosti|Yonhap|Kyodo|PTI|IANS|ANI|Interfax|SPA|WAM|KUNA|QNA|MENA|SANA|Petra|BBC|the [A-Z][\p{L}]+(?: [A-Z][\p{L}]+){0,2}|[A-Z][\p{L}.&']*(?: [A-Z][\p{L}.&']*){0,2})`
	byName    = `[A-Z][\p{Lu}.'’\-]+(?:\s+[A-Z][\p{Lu}.'’\-]*){0,3}`
)

var leadRes = []*regexp.Regexp{
	// "TEHRAN (Reuters) - ", "(CNN) -- ", "Washington (CNN)", "BEIRUT, Lebanon (AP) — "
	regexp.MustCompile(`^(?:` + place + `\s*)?\(` + outlet + `\)\s*(?:[-–—:]+\s*)?`),
	// "GAZA CITY — ", "LONDON, March 3 — "
	regexp.MustCompile(`^[A-Z][\p{Lu}.'’\-]+(?: [A-Z][\p{Lu}.'’\-]+){0,3}(?:,\s*[A-Z][\p{L}.'’\-]+(?: [A-Z][\p{L}.'’\-]+){0,2})?(?:,?\s*` + month + `\.? \d{1,2}(?:,? \d{4})?)?\s*[-–—]+\s+`),
	// "By JOHN SMITH and JANE DOE, Associated Press"
	regexp.MustCompile(`^By\s+` + byName + `(?:\s*(?:,|and|&)\s*` + byName + `)*(?:\s*,\s*(?:(?:The )?Associated Press|AP|Reuters|AFP|Bloomberg|CNN|BBC News|[A-Z][\p{L}]+(?: [A-Z][\p{L}]+){0,3}(?: Writer| Correspondent| Reporter| Editor| Staff)))?\s*(?:[|•·\-–—:]\s*)?`),
	// "By . Daily Mail Reporter . "
	regexp.MustCompile(`^By\s*\.\s*[^.]{2,60}?\s\.\s*`),
	// "March 10, 2015 . ", "2 November 2014 "
	regexp.MustCompile(`^(?:` + weekday + `,?\s+)?` + date + `(?:\s*[.:|\-–—]\s*|\s+(?:[Ll]ast\s+)?(?:[Uu]pdated|[Pp]ublished|[Pp]osted|UPDATED|PUBLISHED)\b)`),
	// "Updated 14:03 GMT (22:03 HKT) March 3, 2015", "PUBLISHED: . 10:07 EST, 2 March 2013 . | . "
	regexp.MustCompile(`^(?:[Ll]ast\s+)?(?:[Uu]pdated|[Pp]ublished|[Pp]osted|UPDATED|PUBLISHED|POSTED)(?:\s+(?:on|at))?\s*:?\s*\.?\s*(?:` + stamp + `[\s,.|]*){1,6}`),
}

// stripLead removes datelines, bylines and timestamps from the start of
// an article, repeatedly, since they come stacked ("By X, AP TEHRAN (AP) —").
func stripLead(s string) string {
	for range 6 {
		changed := false
		for i, re := range leadRes {
			loc := re.FindStringIndex(s)
			if loc == nil || loc[1] == 0 {
				continue
			}
			rest := strings.TrimSpace(s[loc[1]:])
			if i == 0 && !opensText(rest) {
				continue // "Iran (IRI) said…" is not a dateline
			}
			s = rest
			changed = true
		}
		if !changed {
			break
		}
	}
	return s
}

// opensText reports whether s can start an article body: a capital, a
// digit or an opening quote, or nothing at all.
func opensText(s string) bool {
	if s == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r) || unicode.IsDigit(r) || strings.ContainsRune("\"'“‘«[(", r)
}

// isBylineLine matches a line that is only a byline: "By Jane Doe" or
// "By Jane Doe, Middle East correspondent".
var bylineLineRe = regexp.MustCompile(`^(?:By|BY|Written by|Words by)\s+[A-Z][\p{L}.'’\-]*(?:\s+(?:[A-Z][\p{L}.'’\-]*|and|&|de|van|von|al-\p{L}+|bin)){0,8}(?:\s*[,|•·\-–—]\s*[\p{L}.'’&\- ]{2,60})?\.?$`)

func isBylineLine(line string) bool {
	return len(line) < 120 && bylineLineRe.MatchString(line)
}

// rule drops sentences matching re (on lowercased text); triggers are
// cheap substrings that must occur before the regexp is tried, which
// keeps cleaning fast on ordinary sentences.
type rule struct {
	triggers []string
	re       *regexp.Regexp
	tail     bool // sentence typically starts a page trailer
	maxWords int  // only sentences this short (0 = any length)
	cased    bool // re is matched against the original text, not lowercased
	// prefixes trigger the rule like triggers, but only at the start.
	prefixes []string
}

// creditName is a person's name in a reporting credit.
const creditName = `[A-Z][\p{L}'’.\-]+(?: (?:[A-Z][\p{L}'’.\-]*|de|van|von|al-\p{L}+|bin)){0,3}`

var rules = []rule{
	{ // subscribe and newsletter appeals
		triggers: []string{"subscri", "sign up", "sign-up", "newsletter", "register", "inbox"},
		re:       regexp.MustCompile(`^(?:please |click here to |to )?(?:subscribe|sign up|sign-up|register (?:now|today|here|for free))\b|\b(?:subscribe|sign up|sign-up)\b.{0,80}\b(?:newsletter|updates|inbox|e-?mail|alerts|channel|podcast|free|magazine|digest|briefing)|\bnewsletters?\b.{0,60}\b(?:inbox|sign up|subscribe|delivered|free)\b|^(?:get|receive) (?:our|the)\b.{0,60}\b(?:newsletter|briefing|digest|in your inbox)|^already a subscriber|^(?:become|are you) a (?:subscriber|member)\b`),
		tail:     true,
	},
	{ // follow us, share your thoughts
		triggers: []string{"follow", "like us", "find us", "join us", "connect with", "join the conversation", "share your", "tell us", "let us know", "comment"},
		re:       regexp.MustCompile(`^(?:please |and )?(?:follow|like|find|join|connect with)\b.{0,80}(?:\b(?:twitter|facebook|instagram|linkedin|tiktok|youtube|threads|bluesky|mastodon|telegram|whatsapp|snapchat|pinterest|rss|social media)\b|@\w+|www\.|https?://)|^(?:share|post|send|tell us|let us know|join the conversation|leave a comment|comment below)\b.{0,100}(?:\b(?:twitter|facebook|instagram|comments?|below|ireport|cnn living)\b|@\w+|#\w+|e-?mail us)`),
		tail:     true,
	},
	{ // donation and support appeals
		triggers: []string{"donat", "support us", "support our", "support independent", "support quality", "support this", "your support", "make a ", "your gift", "your contribution", "patron", "chip in"},
		re:       regexp.MustCompile(`^(?:please )?(?:donate|consider (?:donating|supporting|a donation|becoming)|make a (?:donation|gift|contribution)|chip in|become a (?:patron|member|supporter|sustaining member)|support (?:us|our (?:work|journalism|reporting|newsroom|mission)|independent journalism|quality journalism|this (?:site|work|project)))\b|\bdonate (?:today|now|here|below)\b|^if you (?:value|enjoy|like|appreciate|rely on|found value in|believe in)\b.{0,120}\b(?:support|donat|contribut|subscri|patron)|^your (?:support|donation|contribution|gift)s? (?:helps?|makes?|keeps?|allows?|enables?|is what)\b|^we (?:rely|depend|count) on (?:readers|donations|your|the support)|\bpatreon\b`),
		tail:     true,
	},
	{ // "Thank you!" sign-offs
		triggers: []string{"thank"},
		re:       regexp.MustCompile(`^(?:thank you|thanks|many thanks)(?: (?:so much|again|all|everyone))?(?: for (?:reading|your support|supporting|visiting|subscribing|using|watching|listening|stopping by|choosing|being (?:a|an|our) [\w ]{1,30}|your (?:donation|contribution|gift|interest|time|patience))\b[^,;:"”]{0,40})?[.!\s]*$`),
		tail:     true,
	},
	{ // cookie notices
		triggers: []string{"cookie"},
		re:       regexp.MustCompile(`^(?:we|this (?:web)?site|our (?:web)?site|by (?:continuing|using|clicking|browsing))\b.{0,100}\bcookies?\b|\b(?:accept|reject|manage|use of|consent to) (?:all )?cookies?\b|\bcookie (?:policy|settings|preferences|consent|notice|banner)\b`),
	},
	{ // paywall notices
		triggers: []string{"subscriber", "paywall", "free article", "continue reading", "read the full", "log in", "login", "sign in", "unlock", "reached your", "reserved for", "members only", "premium"},
		re:       regexp.MustCompile(`\bsubscribers? only\b|\bfor (?:paid |premium )?subscribers\b|\b(?:for|to) (?:paid )?members only\b|^members only\b|\bpaywall\b|\bfree articles? (?:left|remaining|this month)\b|\byou(?:'ve| have) (?:reached|read|used) (?:your|all|the)\b.{0,30}\b(?:limit|articles|stories)\b|^continue reading|\bto continue reading\b|\bread the full (?:story|article)\b|^unlock\b|\b(?:log|sign) ?in to (?:continue|read|keep)\b|\bthis (?:content|article|story) is (?:only )?(?:available|reserved) (?:to|for)\b|\bpremium (?:content|article)\b`),
		tail:     true,
	},
	{ // "Read more", "Click here", related links
		triggers: []string{"read more", "read:", "read also", "also read", "read next", "more:", "related", "see also", "see more", "watch:", "watch the video", "video:", "photo:", "photos:", "gallery:", "listen:", "recommended", "most read", "most popular", "most viewed", "trending:", "full story", "up next", "learn more", "find out more", "more on this", "more from", "continue reading", "click", "tap ", "scroll"},
		re:       regexp.MustCompile(`^(?:read more|read:|read also|also read|read next|more:|related:|related coverage|related stories|see also|see more|watch:|watch the video|video:|photos?:|gallery:|listen:|recommended:|most (?:read|popular|viewed)|trending:|full story|up next|learn more|find out more|more on this|more from [\w. ]{1,30}:|continue reading)|\b(?:click|tap) (?:here|the link|below|to (?:see|view|watch|read|access|download|learn))\b|\bscroll (?:down|up) (?:for|to)\b`),
	},
	{ // photo captions and credits
		triggers: []string{"photo", "image", "picture", "getty", "caption", "credit", "pictured", "playback", "shutterstock", "inset", "(above)", "(below)", "(left)", "(right)", "(top)", "(center)", "(centre)"},
		prefixes: []string{"above", "below", "left", "right"},
		re:       regexp.MustCompile(`^(?:photo|photograph|picture|image|caption|credit|photo credit|image credit|image copyright|image caption|media caption|pictured|file photo|top photo|main photo|above|below|left|right|inset|main picture)\s*(?::|\||-|—)|\bimage copyright\b|\bimage caption\b|\bmedia caption\b|\bmedia playback is (?:unsupported|not supported)\b|\b(?:ap|afp|epa|reuters|getty|xinhua|anadolu) ?(?:photo|images)\b|\b(?:photo|photograph|picture|image)s? (?:by|courtesy of|credit:?)\s|/(?:getty images|ap|afp|reuters|epa|shutterstock|alamy)\b|\((?:pictured|above|below|left|right|top|center|centre)\)|^pictured\b|\bgetty images\b|\bshutterstock\b`),
	},
	{ // share-button text
		triggers: []string{"share", "tweet", "mail", "print", "facebook", "twitter", "linkedin", "whatsapp", "pinterest", "reddit", "copy", "save", "comment", "flipboard"},
		re:       regexp.MustCompile(`^(?:(?:share(?: (?:this|on|via|to))?(?: (?:story|article|page|post|link))?|tweet|e-?mail(?: this(?: article| story)?| to a friend)?|print(?: this(?: article| page)?)?|facebook|twitter|x|linkedin|whatsapp|pinterest|reddit|telegram|messenger|copy(?: link)?|link copied|save(?: article)?|comments?|flipboard|pocket)[\s|·•,/:.!-]*)+$`),
		tail:     true,
		maxWords: 12,
	},
	{ // reporting credits and sign-offs
		triggers: []string{"contribut", "reporting", "editing by", "writing by", "compiled by", " reports"},
		re:       regexp.MustCompile(`\bcontributed (?:to )?(?:this|the) (?:report|story|article)\b|\bcontributed reporting\b|^(?:additional )?reporting by\b|\b(?:editing|writing|compiled|reporting) by [a-z]|^[a-z.'’-]+(?: [a-z.'’-]+){1,2} reports\.?$`),
		tail:     true,
		maxWords: 30,
	},
	{ // "CNN's Jane Roe reported from Tehran, and John Smith wrote in London."
		triggers: []string{"reported", "wrote", "contributed"},
		re:       regexp.MustCompile(`^(?:(?:CNN|AP|Reuters)'s |Journalists? |Producers? )?` + creditName + `(?:,? and (?:CNN's )?` + creditName + `)* (?:reported|wrote|contributed)(?: and (?:reported|wrote))?(?: (?:this|the) (?:story|report))? (?:from|in) [A-Z]`),
		cased:    true,
		tail:     true,
		maxWords: 40,
	},
	{ // copyright and syndication lines
		triggers: []string{"copyright", "©", "rights reserved", "appeared first", "originally", "republish", "original story", "original article", "(c) "},
		re:       regexp.MustCompile(`^(?:copyright|©|\(c\))|\ball rights reserved\b|\bsome rights reserved\b|\bappeared first on\b|\boriginally (?:published|appeared) (?:on|in|at|by)\b|\bread the original (?:article|story|post)\b|\bsee the original (?:story|article) at\b|\brepublished (?:with permission|from|under)\b`),
		tail:     true,
	},
	{ // editor's notes and commentary disclaimers
		triggers: []string{"editor", "expressed", "showcasing", "produced solely", "has been updated", "was updated", "correction"},
		re:       regexp.MustCompile(`^editor'?s'? ?note\b|\bthe (?:views|opinions) expressed (?:in this|here|are)\b|\bis showcasing the work of\b|\bthe content is produced solely by\b|^this (?:story|article|post) (?:has been|was) (?:updated|corrected)|^correction:`),
	},
	{ // a sentence that is only a timestamp
		triggers: []string{"updated", "published", "posted"},
		re:       regexp.MustCompile(`^(?:(?:\d{1,2} [a-z]+ \d{4}|[a-z]+\.? \d{1,2},? \d{4}) )?(?:last )?(?:updated|published|posted)(?: on| at)?:?\s*[\w\s:,./|()+-]{0,60}$`),
		maxWords: 14,
	},
	{ // lone labels
		triggers: []string{"advert", "sponsor", "highlights", "mail to a friend", "adchoices"},
		re:       regexp.MustCompile(`^(?:advertisement|sponsored(?: content)?|story highlights|e-?mail to a friend|adchoices)[.:\s]*$`),
	},
}

// judge decides whether one sentence is boilerplate.
func judge(s string, tokenized bool) verdict {
	if !tokenized && strings.HasSuffix(s, " .") && countWords(s) <= 5 {
		// A section heading left inline: "Social media .", "TRANSCRIPT ."
		if r, _ := utf8.DecodeRuneInString(s); unicode.IsUpper(r) {
			return drop
		}
	}
	mask := ruleIndex.match(s)
	n := countWords(s)
	var lower string
	for i, r := range rules {
		if r.maxWords > 0 && n > r.maxWords {
			continue
		}
		if mask&(1<<i) == 0 && !hasAnyPrefix(s, r.prefixes) {
			continue
		}
		target := s
		if !r.cased {
			if lower == "" {
				lower = strings.ToLower(s)
			}
			target = lower
		}
		if r.re.MatchString(target) {
			if r.tail {
				return dropTail
			}
			return drop
		}
	}
	return keep
}

// ruleIndex finds the rules whose triggers occur in a sentence.
var ruleIndex = func() *triggerIndex {
	ts := make([][]string, len(rules))
	for i, r := range rules {
		ts[i] = r.triggers
	}
	return newTriggerIndex(ts)
}()

// hasAnyPrefix reports whether s starts with one of prefixes, ignoring
// ASCII case.
func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return true
		}
	}
	return false
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// creditRe matches inline photo credits: "(AP Photo/Vahid Salemi)",
// "(Photo by Jane Doe/Getty Images)", "(Getty Images)".
var creditRe = regexp.MustCompile(`\s*\((?:[^()]{0,60}\b)?(?:AP Photo|AFP Photo|Reuters Photo|Photo|Photograph|Picture|Image|Getty Images|Shutterstock|Photo credit|Credit)\b[^()]{0,80}\)`)

func stripCredits(s string) string {
	if strings.IndexByte(s, '(') < 0 {
		return s
	}
	l := strings.ToLower(s)
	if !containsAny(l, []string{"photo", "image", "picture", "getty", "shutterstock", "credit"}) {
		return s
	}
	return strings.TrimSpace(creditRe.ReplaceAllString(s, ""))
}
