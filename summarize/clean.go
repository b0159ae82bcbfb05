package summarize

import (
	"html"
	"regexp"
	"strings"
	"sync"
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
	lines := strings.Split(text, "\n")
	if !tokenized {
		lines = lines[storyStart(lines):]
	}
	for p, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if first {
			line = stripLead(stripBeforeDateline(line))
			if line == "" {
				continue
			}
		}
		if i := nameRunCut(line, gluedBylineRe, bylineOpeners); i > 0 {
			line = strings.TrimSpace(line[i:])
		}
		if isBylineLine(line) {
			continue
		}
		if !tokenized {
			line = stripAgencyCaptions(line)
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
			if !tokenized {
				if s = stripGluedPrefix(s); s == "" {
					continue
				}
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
	scriptRe = lazyRegexp(`(?is)<(script|style|noscript|iframe)\b.*?</(script|style|noscript|iframe)\s*>`)
	tagRe    = lazyRegexp(`<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]{0,1000}>|<!--.*?-->|<![^<>]{0,200}>`)
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
	s = scriptRe().ReplaceAllString(s, "\n")
	return tagRe().ReplaceAllStringFunc(s, func(tag string) string {
		m := tagRe().FindStringSubmatch(tag)
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

var leadRes = []func() *regexp.Regexp{
	// "TEHRAN (Reuters) - ", "(CNN) -- ", "Washington (CNN)", "BEIRUT, Lebanon (AP) — "
	lazyRegexp(`^(?:` + place + `\s*)?\(` + outlet + `\)\s*(?:[-–—:]+\s*)?`),
	// "GAZA CITY — ", "LONDON, March 3 — "
	lazyRegexp(`^[A-Z][\p{Lu}.'’\-]+(?: [A-Z][\p{Lu}.'’\-]+){0,3}(?:,\s*[A-Z][\p{L}.'’\-]+(?: [A-Z][\p{L}.'’\-]+){0,2})?(?:,?\s*` + month + `\.? \d{1,2}(?:,? \d{4})?)?\s*[-–—]+\s+`),
	// "By JOHN SMITH and JANE DOE, Associated Press"
	lazyRegexp(`^By\s+` + byName + `(?:\s*(?:,|and|&)\s*` + byName + `)*(?:\s*,\s*(?:(?:The )?Associated Press|AP|Reuters|AFP|Bloomberg|CNN|BBC News|[A-Z][\p{L}]+(?: [A-Z][\p{L}]+){0,3}(?: Writer| Correspondent| Reporter| Editor| Staff)))?\s*(?:[|•·\-–—:]\s*)?`),
	// "By . Daily Mail Reporter . "
	lazyRegexp(`^By\s*\.\s*[^.]{2,60}?\s\.\s*`),
	// "March 10, 2015 . ", "2 November 2014 "
	lazyRegexp(`^(?:` + weekday + `,?\s+)?` + date + `(?:\s*[.:|\-–—]\s*|\s+(?:[Ll]ast\s+)?(?:[Uu]pdated|[Pp]ublished|[Pp]osted|UPDATED|PUBLISHED)\b)`),
	// "Updated 14:03 GMT (22:03 HKT) March 3, 2015", "PUBLISHED: . 10:07 EST, 2 March 2013 . | . "
	lazyRegexp(`^(?:[Ll]ast\s+)?(?:[Uu]pdated|[Pp]ublished|[Pp]osted|UPDATED|PUBLISHED|POSTED)(?:\s+(?:on|at))?\s*:?\s*\.?\s*(?:` + stamp + `[\s,.|]*){1,6}`),
}

// stripLead removes datelines, bylines and timestamps from the start of
// an article, repeatedly, since they come stacked ("By X, AP TEHRAN (AP) —").
func stripLead(s string) string {
	for range 6 {
		changed := false
		for i, re := range leadRes {
			loc := re().FindStringIndex(s)
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
var bylineLineRe = lazyRegexp(`^(?:By|BY|Written by|Words by)\s+[A-Z][\p{L}.'’\-]*(?:\s+(?:[A-Z][\p{L}.'’\-]*|and|&|de|van|von|al-\p{L}+|bin)){0,8}(?:\s*[,|•·\-–—]\s*[\p{L}.'’&\- ]{2,60})?\.?$`)

func isBylineLine(line string) bool {
	return len(line) < 120 && bylineLineRe().MatchString(line)
}

// rule drops sentences matching re (on lowercased text); triggers are
// cheap substrings that must occur before the regexp is tried, which
// keeps cleaning fast on ordinary sentences.
type rule struct {
	triggers []string
	re       func() *regexp.Regexp
	tail     bool // sentence typically starts a page trailer
	maxWords int  // only sentences this short (0 = any length)
	cased    bool // re is matched against the original text, not lowercased
	// prefixes trigger the rule like triggers, but only at the start.
	prefixes []string
	// glued lets the rule find boilerplate run into the start of a
	// sentence (stripGluedPrefix); gluedRe, when set, must match the
	// lowercased start too: a start is judged with less context than a
	// sentence, so some rules need more evidence there.
	glued   bool
	gluedRe func() *regexp.Regexp
}

// creditName is a person's name in a reporting credit.
const creditName = `[A-Z][\p{L}'’.\-]+(?: (?:[A-Z][\p{L}'’.\-]*|de|van|von|al-\p{L}+|bin)){0,3}`

var rules = []rule{
	{ // subscribe and newsletter appeals
		triggers: []string{"subscri", "sign up", "sign-up", "newsletter", "register", "inbox", "daily briefing", "morning briefing", "evening briefing", "weekly briefing", "digest", "news alert", "mail alert", "your e", "roundup", "round-up", "recap", "unlimited", "get our", "receive our", "get the"},
		re:       lazyRegexp(`^(?:please |click here to |to )?(?:subscribe|sign up|sign-up|register (?:now|today|here|for free))\b|\b(?:subscribe|sign up|sign-up)\b.{0,80}\b(?:newsletter|updates|inbox|e-?mail|alerts|channel|podcast|free|magazine|digest|briefing)|\bnewsletters?\b.{0,60}\b(?:inbox|sign up|subscribe|delivered|free)\b|^(?:get|receive) (?:our|the)\b.{0,60}\b(?:newsletter|briefing|digest|in your inbox)|^already a subscriber|^(?:become|are you) a (?:subscriber|member)\b|^subscribe\b|\b(?:newsletter|(?:daily|morning|evening|weekly) briefing|digest|news alerts?|e-?mail alerts?)s?\b.{0,80}\b(?:you|your)\b|^(?:get|receive) our (?:free )?(?:daily |weekly |morning |evening )?e-?mails?\b|\b(?:you|your)\b.{0,80}\b(?:newsletter|inbox)s?\b|\b(?:enter|add|submit|provide|leave) your e-?mail\b|\b(?:weekly|daily|monthly|morning|evening) (?:roundup|round-up|recap|wrap)\b.{0,60}\b(?:you|your|sign up|subscribe|receive|e-?mail)\b|\bunlimited (?:digital )?access\b`),
		maxWords: 40,
		tail:     true,
		glued:    true,
	},
	{ // follow us, share your thoughts
		triggers: []string{"follow", "like us", "find us", "join", "connect with", "share", "tell us", "let us know", "comment", "icon", "button", "bell", "social media", "whatsapp", "telegram"},
		re:       lazyRegexp(`^(?:please |and )?(?:follow|like|find|join|connect with)\b.{0,80}(?:\b(?:twitter|facebook|instagram|linkedin|tiktok|youtube|threads|bluesky|mastodon|telegram|whatsapp|snapchat|pinterest|rss|social media|on x)\b|@\w+|www\.|https?://)|^(?:share|post|send|tell us|let us know|join the conversation|leave a comment|comment below)\b.{0,100}(?:\b(?:twitter|facebook|instagram|whatsapp|telegram|linkedin|social media|comments?|below|ireport|cnn living)\b|@\w+|#\w+|e-?mail us)|^join (?:our|us on|the)\b.{0,40}\b(?:channel|community|group|list|whatsapp|telegram)\b|^(?:click|tap|press|hit) (?:on )?the [\w ]{0,30}\b(?:icon|button|bell)\b.{0,40}\b(?:follow|alerts?|notifications?|subscribe|updates)\b`),
		tail:     true,
		glued:    true,
	},
	{ // donation and support appeals
		triggers: []string{"donat", "support us", "support our", "supporting our", "support independent", "support quality", "support this", "support public", "support nonprofit", "your support", "fund our", "funds our", "fund independent", "sustain our", "sustains our", "power our", "powers our", "your gift", "your contribution", "make a ", "patron", "chip in", "favour to ask", "favor to ask", "turning to us", "exclusive content", "exclusive access", "give now", "give today", "give monthly", "give a month", "contribute now", "contribute today", "keep this site", "keeps this site", "keep our", "keeps our", "keeping our", "keep us ind", "keeps us ind", "keeping us ind", "us ad-free", "us reader", "free for everyone", "free for all readers", "if you value", "if you enjoy", "if you like", "if you appreciate", "if you rely", "if you found", "if you believe", "we rely", "we depend", "we count", "become a", "consider"},
		re:       lazyRegexp(`^(?:please )?(?:donate|consider (?:donating|supporting|a donation|becoming)|make a (?:donation|gift|contribution)|chip in|become a (?:patron|member|supporter|sustaining member)|support (?:us|our (?:work|journalism|reporting|newsroom|mission)|independent journalism|quality journalism|this (?:site|work|project)))\b|\bdonate (?:today|now|here|below)\b|^if you (?:value|enjoy|like|appreciate|rely on|found value in|believe in)\b.{0,120}\b(?:support|donat|contribut|subscri|patron|member)|^your (?:support|donation|contribution|gift)s?\b.{0,40}\b(?:helps?|makes?|keeps?|allows?|enables?|is what|funds?|powers?)\b|^we (?:rely|depend|count) on (?:readers|donations|your|the support)|\bpatreon\b|^we have a (?:small )?(?:favou?r|request) to ask\b|\b(?:support|fund|sustain|power)s? (?:our|this|independent|quality|public-service|nonprofit) (?:work|journalism|reporting|newsroom|site|mission|news)\b|\b(?:turning|turn) to us for\b|\bexclusive (?:content|access)\b.{0,40}\b(?:member|subscri|join)|\b(?:member|subscri|join)\w*\b.{0,60}\bexclusive (?:content|access)\b|^(?:give|donate|chip in|contribute)\b.{0,30}\b(?:now|today|monthly|a month)\b|\b(?:keeps?|keeping) (?:this site|our (?:site|journalism|reporting|work|newsroom)) (?:running|free|going|independent|alive)\b|\b(?:keeps?|keeping) us (?:independent|ad-free|reader-funded)\b|\bfree for (?:everyone|all readers)\b`),
		maxWords: 40,
		tail:     true,
		glued:    true,
	},
	{ // "Thank you!" sign-offs
		triggers: []string{"thank"},
		re:       lazyRegexp(`^(?:thank you|thanks|many thanks)(?: (?:so much|again|all|everyone))?(?: for (?:reading|your support|supporting|visiting|subscribing|using|watching|listening|stopping by|choosing|being (?:a|an|our) [\w ]{1,30}|your (?:donation|contribution|gift|interest|time|patience))\b[^,;:"”]{0,40})?[.!\s]*$`),
		tail:     true,
	},
	{ // cookie notices
		triggers: []string{"cookie", "consent", "accept all", "reject all", "allow all", "privacy", "tracking technolog", "personalis", "personaliz", "terms of", "do not sell", "opt out", "opt-out"},
		prefixes: []string{"accept", "reject", "allow", "deny", "i agree", "we agree", "i accept", "we accept"},
		re:       lazyRegexp(`^(?:we|this (?:web)?site|our (?:web)?site|by (?:continuing|using|clicking|browsing))\b.{0,100}\bcookies?\b|\b(?:accept|reject|manage|use of|consent to) (?:all )?cookies?\b|\bcookie (?:policy|settings|preferences|consent|notice|banner)\b|\b(?:signifies|constitutes|indicates|implies|means) (?:your )?(?:consent|acceptance|agreement)\b|\b(?:withdraw|give|manage|change|update) (?:your )?(?:consent|privacy (?:settings|preferences|choices))\b|\bconsent (?:preferences|settings|choices|options)\b|^(?:accept|reject|allow|deny)(?: all)?(?: cookies)?[.!\s]*$|\b(?:accept|reject) all\b|\bprivacy (?:settings|preferences|choices|center|centre|options)\b|\btracking technologies\b|\b(?:personalis|personaliz)e (?:content|ads)\b|^(?:i|we) (?:agree|consent|accept)\b.{0,60}\b(?:terms|privacy|cookies?|policy|conditions)\b|\bterms of (?:service|use)\b.{0,30}\bprivacy(?: policy| notice)?\b|^we (?:value|respect|care about) your privacy\b|\bdo not sell\b.{0,40}\b(?:personal|information|data)\b|\bopt[ -]out of (?:the )?(?:sale|sharing|targeted|personali[sz]ed)\b|^your privacy (?:choices|rights|options)\b`),
		maxWords: 40,
		glued:    true,
	},
	{ // paywall notices
		triggers: []string{"subscriber", "paywall", "free article", "continue reading", "read the full", "log in", "login", "sign in", "unlock", "reached your", "reserved for", "members only", "premium"},
		re:       lazyRegexp(`\bsubscribers? only\b|\bfor (?:paid |premium )?subscribers\b|\b(?:for|to) (?:paid )?members only\b|^members only\b|\bpaywall\b|\bfree articles? (?:left|remaining|this month)\b|\byou(?:'ve| have) (?:reached|read|used) (?:your|all|the)\b.{0,30}\b(?:limit|articles|stories)\b|^continue reading|\bto continue reading\b|\bread the full (?:story|article)\b|^unlock\b|\b(?:log|sign) ?in to (?:continue|read|keep)\b|\bthis (?:content|article|story) is (?:only )?(?:available|reserved) (?:to|for)\b|\bpremium (?:content|article)\b`),
		tail:     true,
		glued:    true,
	},
	{ // "Read more", "Click here", related links
		triggers: []string{"read more", "read:", "read also", "also read", "read next", "more:", "related", "see also", "see more", "watch:", "watch the video", "video:", "photo:", "photos:", "gallery:", "listen:", "recommended", "most read", "most popular", "most viewed", "trending:", "full story", "up next", "learn more", "find out more", "more on this", "more from", "continue reading", "click", "tap ", "scroll", "more stories", "more articles", "more coverage", "more videos", "top stories", "top articles", "top videos", "latest stories", "latest articles", "latest videos", "trending stories", "popular stories", "popular articles", "picks", "also like", "list of", "end of list"},
		prefixes: []string{"get the ", "get our ", "download the ", "download our "},
		re:       lazyRegexp(`^(?:read more|read:|read also|also read|read next|more:|related:|related coverage|related stories|see also|see more|watch:|watch the video|video:|photos?:|gallery:|listen:|recommended:|most (?:read|popular|viewed)|trending:|full story|up next|learn more|find out more|more on this|more from [\w. ]{1,30}:|continue reading)|\b(?:click|tap) (?:here|the link|below|to (?:see|view|watch|read|access|download|learn))\b|\bscroll (?:down|up) (?:for|to)\b|^(?:(?:recommended|related|more|top|latest|trending|popular|most read) (?:stories|articles|coverage|reads|topics|videos|links|content)|related|recommended|editor'?s'? picks?|you (?:may|might) also like)\s*(?:[:|·•-]|list of \d+ items?\b|$)|\blist of \d+ items?\b|^end of list\b|^(?:get|download) (?:the|our) [\w' ]{1,30} app\b`),
		glued:    true,
	},
	{ // photo captions and credits
		triggers: []string{"photo", "image", "picture", "getty", "caption", "credit", "pictured", "playback", "shutterstock", "inset", "(above)", "(below)", "(left)", "(right)", "(top)", "(center)", "(centre)"},
		prefixes: []string{"above", "below", "left", "right"},
		re:       lazyRegexp(`^(?:photo|photograph|picture|image|caption|credit|photo credit|image credit|image copyright|image caption|image source|media caption|pictured|file photo|file image|top photo|main photo|inset|main picture|video|gallery|illustration|graphic)s?\s*(?:[:|,]|\s[-—]\s)|^(?:above|below|left|right|top|bottom)\s*(?:[:|]|\s[-—]\s)|^image source\b|\bimage copyright\b|\bimage caption\b|\bmedia caption\b|\bmedia playback is (?:unsupported|not supported)\b|\b(?:ap|afp|epa|reuters|getty|xinhua|anadolu) ?(?:photo|images)\b|\b(?:photo|photograph|picture|image)s? (?:by|courtesy of|credit:?)\s|/(?:getty images|ap|afp|reuters|epa|shutterstock|alamy)\b|\((?:pictured|above|below|left|right|top|center|centre)\)|^pictured\b|\bgetty images\b|\bshutterstock\b`),
		glued:    true,
	},
	{ // share-button text: a run of share words and network names
		triggers: []string{"share", "tweet", "mail", "print", "facebook", "twitter", "linkedin", "whatsapp", "pinterest", "reddit", "copy", "save", "comment", "flipboard", "messenger", "telegram", "permalink", "bluesky"},
		re:       lazyRegexp(`^(?:(?:share(?:s|d)?|this|on|via|to|with|story|article|page|post|link|tweet|e-?mail|print|facebook|twitter|x|linkedin|whatsapp|pinterest|reddit|telegram|messenger|copy|copied|link copied|save|saved|comments?|flipboard|pocket|permalink|bluesky|threads|\d+)[\s|·•,/:.!-]*)+$`),
		tail:     true,
		maxWords: 24,
		glued:    true,
		// Network names alone ("Twitter CEO…", "On Twitter, …") open
		// real sentences: a glued share bar has a share verb.
		gluedRe: lazyRegexp(`\b(?:share[sd]?|tweet|e-?mail|print|copy|save|comments?)\b`),
	},
	{ // reporting credits and sign-offs
		triggers: []string{"contribut", "reporting", "editing by", "writing by", "compiled by"},
		re:       lazyRegexp(`\bcontributed (?:to )?(?:this|the) (?:report|story|article)\b|\bcontributed reporting\b|^(?:[a-z]+ ){0,3}(?:correspondent|writer|reporter|journalist|producer|photographer|videographer)s? [\w'’. ,-]{3,80}\bcontributed\.?$|^(?:additional )?reporting by\b|\b(?:editing|writing|compiled|reporting) by [a-z]`),
		tail:     true,
		maxWords: 30,
		glued:    true,
		// "…according to reporting by The Times" is not a credit line.
		gluedRe: lazyRegexp(`^\(?(?:additional |further )?(?:reporting|writing|editing|edited|written|compiled)\b|\bcontributed\b`),
	},
	{ // a sign-off: "Jane Roe reports."
		triggers: []string{" reports"},
		re:       lazyRegexp(`^[A-Z][\p{L}.'’-]+(?: [A-Z][\p{L}.'’-]+){1,2} reports\.?$`),
		cased:    true,
		tail:     true,
	},
	{ // "CNN's Jane Roe reported from Tehran, and John Smith wrote in London."
		triggers: []string{"reported", "wrote", "contributed"},
		re:       lazyRegexp(`^(?:(?:CNN|AP|Reuters)'s |Journalists? |Producers? )?` + creditName + `(?:,? and (?:CNN's )?` + creditName + `)* (?:reported|wrote|contributed)(?: and (?:reported|wrote))?(?: (?:this|the) (?:story|report))? (?:from|in) [A-Z]`),
		cased:    true,
		tail:     true,
		maxWords: 40,
	},
	{ // copyright and syndication lines
		triggers: []string{"copyright", "©", "rights reserved", "appeared first", "originally", "republish", "original story", "original article", "(c) ", "may not be"},
		re:       lazyRegexp(`^(?:copyright|©|\(c\))|\ball rights reserved\b|\bsome rights reserved\b|\bappeared first on\b|\boriginally (?:published|appeared) (?:on|in|at|by)\b|\bread the original (?:article|story|post)\b|\bsee the original (?:story|article) at\b|\brepublished (?:with permission|from|under)\b|\bmay not be (?:re)?(?:published|reproduced|broadcast|rewritten|redistributed|copied)\b|^copyright\b|©\s*(?:copyright\s*)?(?:\d{4}|[a-z])|\bcopyright\s*(?:©|\(c\))?\s*\d{4}\b`),
		maxWords: 40,
		tail:     true,
		glued:    true,
	},
	{ // editor's notes and commentary disclaimers
		triggers: []string{"editor", "expressed", "showcasing", "produced solely", "has been updated", "was updated", "correction"},
		re:       lazyRegexp(`^editor'?s'? ?note\b|\bthe (?:views|opinions) expressed (?:in this|here|are)\b|\bis showcasing the work of\b|\bthe content is produced solely by\b|^this (?:story|article|post) (?:has been|was) (?:updated|corrected)|^correction:`),
	},
	{ // a sentence that is only a timestamp
		triggers: []string{"updated", "published", "posted"},
		re:       lazyRegexp(`^(?:(?:\d{1,2} [a-z]+ \d{4}|[a-z]+\.? \d{1,2},? \d{4}) )?(?:last )?(?:updated|published|posted)(?: on| at)?:?\s*[\w\s,./|()+-]{0,30}?(?:\d|\bago\b|\btoday\b|\byesterday\b)[\w\s:,./|()+-]{0,60}$`),
		maxWords: 14,
	},
	{ // reading time and audio-player prompts: "Listen · 5 min", "3 min read"
		triggers: []string{"listen", "audio", "read time", "reading time", "min read", "mins read", "minute read", "minutes read", "min listen"},
		prefixes: []string{"play"},
		re:       lazyRegexp(`^(?:listen(?: (?:to|now)(?: (?:this|the))?(?: (?:article|story|episode|report|podcast|piece))?)?|play(?: audio| article| now)?|audio(?: version)?|hear (?:this|the) (?:story|article))\s*(?:[·•|:\-–—(]\s*)?(?:\d{1,3}(?::\d{2})?\s*(?:min(?:ute)?s?|m)\b\)?)?[\s·•|.!]*(?:learn more)?[.\s]*$|^(?:estimated |est\.? |approx(?:imate)?\.? )?(?:reading|read|listening|listen) time:?\s*(?:about |under |less than )?\d{1,3}(?::\d{2})?\s*(?:min(?:ute)?s?|m)\b[.\s]*$|^\d{1,3}(?::\d{2})?\s*[-–]?\s*min(?:ute)?s?\.?\s*(?:read|listen|watch)\b[.\s]*$`),
		maxWords: 12,
		glued:    true,
	},
	{ // staff credits: "Jane Roe, BBC diplomatic correspondent", "Staff writer, Al Jazeera"
		triggers: []string{"correspondent", "editor", "reporter", "writer", "staff", "columnist", "journalist", "producer"},
		re:       lazyRegexp(`^[A-Z][\p{L}'’.\-]+ ` + creditName + `,\s+(?:[\p{L}'’&.\-]+\s+){0,5}(?:[Cc]orrespondent|[Ee]ditor|[Rr]eporter|[Ww]riter|[Ss]taff|[Cc]olumnist|[Jj]ournalist|[Pp]roducer)s?\.?$|^(?:[Ss]taff|[Ss]enior|[Cc]hief|[Ss]pecial|[Ff]oreign|[Ss]ports|[Pp]olitical)?\s?(?:[Ww]riter|[Rr]eporter|[Cc]orrespondent|[Ee]ditor|[Ss]taff)s?,\s+(?:[A-Z][\p{L}.&'’\-]*|of|the|for)(?:\s+(?:[A-Z][\p{L}.&'’\-]*|of|the|for)){0,3}\.?$`),
		cased:    true,
		maxWords: 12,
		glued:    true,
	},
	{ // lone labels
		triggers: []string{"advert", "sponsor", "highlights", "mail to a friend", "adchoices", "scroll", "continues below", "reading below"},
		prefixes: []string{"ad"},
		re:       lazyRegexp(`^(?:advertisement|advertising|sponsored(?: content)?|story highlights|e-?mail to a friend|adchoices|scroll to continue(?: with content)?|story continues below(?: advertisement)?|continue reading below|ad)[.:\s·•|-]*$|^advertisement\s*[·•|-]?\s*scroll to continue\b`),
		glued:    true,
	},
}

// judge decides whether one sentence is boilerplate.
func judge(s string, tokenized bool) verdict { return judgeWith(s, tokenized, false) }

// judgeWith is judge; with glued, s is the start of a sentence and only
// the rules that may cut one apply.
func judgeWith(s string, tokenized, glued bool) verdict {
	if !tokenized && strings.HasSuffix(s, " .") && countWords(s) <= 5 {
		// A section heading left inline: "Social media .", "TRANSCRIPT ."
		if r, _ := utf8.DecodeRuneInString(s); unicode.IsUpper(r) {
			return drop
		}
	}
	mask := ruleIndex().match(s)
	n := countWords(s)
	var lower string
	for i, r := range rules {
		if r.maxWords > 0 && n > r.maxWords {
			continue
		}
		if mask&(1<<i) == 0 && !hasAnyPrefix(s, r.prefixes) {
			continue
		}
		if glued && !r.glued {
			continue
		}
		target := s
		if !r.cased {
			if lower == "" {
				lower = strings.ToLower(s)
			}
			target = lower
		}
		if glued && r.gluedRe != nil {
			if lower == "" {
				lower = strings.ToLower(s)
			}
			if !r.gluedRe().MatchString(lower) {
				continue
			}
		}
		if r.re().MatchString(target) {
			if r.tail {
				return dropTail
			}
			return drop
		}
	}
	return keep
}

// ruleIndex finds the rules whose triggers occur in a sentence. Its
// automaton (1,630 states, 235 KB) is built on first use, like the rules'
// expressions.
var ruleIndex = sync.OnceValue(func() *triggerIndex {
	ts := make([][]string, len(rules))
	for i, r := range rules {
		ts[i] = r.triggers
	}
	return newTriggerIndex(ts)
})

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
var creditRe = lazyRegexp(`\s*\((?:[^()]{0,60}\b)?(?:AP Photo|AFP Photo|Reuters Photo|Photo|Photograph|Picture|Image|Getty Images|Shutterstock|Photo credit|Credit)\b[^()]{0,80}\)`)

func stripCredits(s string) string {
	if strings.IndexByte(s, '(') < 0 {
		return s
	}
	l := strings.ToLower(s)
	if !containsAny(l, []string{"photo", "image", "picture", "getty", "shutterstock", "credit"}) {
		return s
	}
	return strings.TrimSpace(creditRe().ReplaceAllString(s, ""))
}

// gluedBylineRe is a byline run into the sentence after it on one line
// ("By Jane Roe, Reuters Iran said…"): it must end in an outlet or a
// staff title, or the name could not be told from the sentence's subject.
var gluedBylineRe = lazyRegexp(`^(?:(?:By|BY|Written by|Words by)\s+` + creditName + `(?:\s*(?:,|and|&)\s*` + creditName + `)*\s*[,|•·\-–—]?\s*(?:(?:[A-Z][\p{L}.'’&\-]*|of|for|the|at)\s+){0,5}?(?:[Ww]riter|[Cc]orrespondent|[Rr]eporter|[Ee]ditor|[Ss]taff|[Cc]ontributor|[Pp]roducer|[Jj]ournalist|[Cc]olumnist|[Aa]nalyst|Press|News|Reuters|AP|AFP|CNN|BBC|Bloomberg|Agency|Times|Post|Journal|Guardian|Jazeera|Monitor|Eye)\b\s*[|•·:\-–—]?)$`)

// maxGluedWords bounds how far into a sentence boilerplate glued before it
// is looked for: page furniture is short.
const maxGluedWords = 30

// stripGluedPrefix removes boilerplate that a feed ran into the start of a
// sentence on the same line ("Listen · 5 min Iran said…", "Share this
// article (CNN) Talks resumed…"): the shortest start, ending before a word
// that can open a sentence, that the sentence rules judge boilerplate on
// its own, repeatedly, since such furniture comes stacked. Rules whose
// text runs on to an unknown end (a "Read more:" headline, a caption)
// drop the whole sentence in judge instead.
func stripGluedPrefix(s string) string {
	for range 8 {
		if i := nameRunCut(s, gluedCreditRe, creditOpeners); i > 0 {
			s = strings.TrimSpace(s[i:])
			continue
		}
		if i := nameRunCut(s, gluedBylineRe, bylineOpeners); i > 0 {
			s = strings.TrimSpace(s[i:])
			continue
		}
		if ruleIndex().match(firstWords(s, maxGluedWords))&gluedRules == 0 && !startsLikeLabel(s) {
			return s
		}
		if judge(s, false) != keep {
			return s // boilerplate as a whole: judge drops all of it
		}
		cut, hanging := -1, -1
		words := 0
		label := startsLikeLabel(s)
		masks := ruleIndex().prefixMasks(firstWords(s, maxGluedWords))
		for i := 1; i < len(s) && words < maxGluedWords; i++ {
			if s[i-1] != ' ' {
				continue
			}
			words++
			if !label && masks[min(i, len(masks)-1)]&gluedRules == 0 {
				continue // no trigger of a rule that may cut in s[:i]
			}
			rest := s[i:]
			// What is left must read as a sentence: a few words, some
			// in lower case (an all-caps remainder is more furniture).
			if !opensText(rest) || countWords(rest) < 3 || !hasLower(rest) {
				continue
			}
			prefix := strings.TrimSpace(s[:i])
			if judgeWith(prefix, false, true) == keep {
				continue
			}
			if runsOnRe().MatchString(prefix) {
				// Where the glued furniture ends cannot be told
				// ("Read more: <headline>", "Image caption, <caption>"):
				// losing the sentence is better than keeping its start.
				return ""
			}
			if hangingRe().MatchString(prefix) {
				// "Share on" before "WhatsApp…": the object follows;
				// look further.
				hanging = i
				continue
			}
			cut = i
			break
		}
		// Furniture comes in short pieces ("Listen ·" then "5 min"):
		// take in what follows while each next piece of at most two
		// words still leaves a boilerplate start.
		for cut > 0 {
			next := nextCut(s, cut)
			if next < 0 || countWords(s[cut:next]) > 2 || judgeWith(strings.TrimSpace(s[:next]), false, true) == keep {
				break
			}
			cut = next
		}
		if cut < 0 {
			if hanging >= 0 {
				return "" // "Sign up for <name>…": no end in sight
			}
			return s
		}
		s = strings.TrimSpace(s[cut:])
	}
	return s
}

// nextCut is the next place after from where a sentence could start
// with a few words still after it, or -1.
func nextCut(s string, from int) int {
	for i := from + 1; i < len(s); i++ {
		if s[i-1] == ' ' && opensText(s[i:]) && countWords(s[i:]) >= 3 && hasLower(s[i:]) {
			return i
		}
	}
	return -1
}

// gluedRules has bit i set when rules[i] may cut a sentence's start.
var gluedRules = func() uint64 {
	var m uint64
	for i, r := range rules {
		if r.glued {
			m |= 1 << i
		}
	}
	return m
}()

// firstWords returns s up to its n-th space.
func firstWords(s string, n int) string {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			if n--; n == 0 {
				return s[:i]
			}
		}
	}
	return s
}

// startsLikeLabel reports a sentence opening with a word of the lone-label
// rule ("Advertisement", "Ad"), whose trigger is a prefix.
func startsLikeLabel(s string) bool {
	for _, r := range rules {
		if hasAnyPrefix(s, r.prefixes) {
			return true
		}
	}
	return false
}

// runsOnRe matches boilerplate that introduces text of unknown length: a
// linked headline, a caption, an editor's note.
var runsOnRe = lazyRegexp(`(?i)\b(?:read more|read also|also read|read next|related|see also|watch|video|photos?|gallery|recommended|most (?:read|popular|viewed)|trending|up next|more from|caption|file photo|pictured|editor'?s'? note|correction)\b`)

// hangingRe matches a start left hanging on a function word ("Sign up
// for", "Share on"), whose object is the next words.
var hangingRe = lazyRegexp(`(?i)\b(?:for|to|on|with|via|at|of|in|from|by|the|a|an|our|your|this|and|or)$`)

// nameRunCut returns where a byline or credit run into a sentence ends:
// the first start that re matches whole and after which the sentence
// reads on (its second word in lower case: "John Smith | He met…", not
// "John | Smith He met…"); 0 if none.
func nameRunCut(s string, re func() *regexp.Regexp, openers []string) int {
	if !hasAnyPrefix(s, openers) {
		return 0
	}
	words := 0
	for i := 1; i < len(s) && words < maxGluedWords; i++ {
		if s[i-1] != ' ' {
			continue
		}
		words++
		rest := s[i:]
		if !opensText(rest) || !re().MatchString(strings.TrimSpace(s[:i])) {
			continue
		}
		f := strings.Fields(rest)
		if len(f) >= 3 && hasLower(f[1][:min(len(f[1]), 1)]) || len(f) >= 3 && strings.HasPrefix(f[0], "(") {
			return i
		}
	}
	return 0
}

func hasLower(s string) bool {
	for _, r := range s {
		if unicode.IsLower(r) {
			return true
		}
	}
	return false
}

// agency is a news agency or outlet as it appears in a dateline or a
// photo credit: the named alternatives of outlet, without its catch-all
// of capitalised words (which "(IRI)" or "(UN)" would match).
const agency = `(?:CNN|Reuters|AP|AFP|UPI|DPA|dpa|EPA(?:-EFE)?|EFE|ANSA|Xinhua|Bloomberg|BBC|Al Jazeera|IRNA|ISNA|WANA|Fars|Tasnim|Mehr|Anadolu|TASS|Yonhap|Kyodo|PTI|ANI|Getty Images|Getty|Shutterstock|Alamy)`

// beforeDatelineRe finds an agency dateline ("(Reuters)", "(CNN) --")
// within the first words of an article. Whatever a feed put before it on
// the same line — a byline, a reading-time prompt, a share bar, a caption —
// is page furniture, since the dateline opens the story.
var beforeDatelineRe = lazyRegexp(`^(.{1,240}?)\(` + agency + `\)`)

func stripBeforeDateline(line string) string {
	m := beforeDatelineRe().FindStringSubmatchIndex(line)
	if m == nil {
		return line
	}
	head := line[:m[3]]
	// A dateline's own place ("WASHINGTON (Reuters)", "Kuala Lumpur,
	// Malaysia (CNN)") stays for stripLead; only a longer run of text
	// before it is furniture.
	if placeOnlyRe().MatchString(strings.TrimSpace(head)) {
		return line
	}
	rest := line[m[2]+len(head):]
	// Keep the place words right before the dateline.
	if loc := placeTailRe().FindStringIndex(head); loc != nil {
		return strings.TrimSpace(head[loc[0]:]) + " " + rest
	}
	return rest
}

var (
	placeOnlyRe = lazyRegexp(`^(?:` + place + `)?$`)
	// placeTailRe is a dateline place at the end of the furniture: an
	// all-caps city ("TEHRAN"), or a "City, Country" pair.
	placeTailRe = lazyRegexp(`(?:\b[A-Z][A-Z.'’\-]{2,}(?: [A-Z][A-Z.'’\-]+){0,2}|\b[A-Z][\p{L}'’\-]+(?: [A-Z][\p{L}'’\-]+)?, [A-Z][\p{L}'’\-]+(?: [A-Z][\p{L}'’\-]+)?)\s*$`)
)

// agencyCaptionRe is a photo caption credited to an agency in brackets
// after its last full stop: "Smoke rises over Gaza. (Reuters)".
var agencyCaptionRe = lazyRegexp(`(?:^|[.!?]["”’]?\s+)([^.!?]{3,300}[.!?]["”’]?\s*\((?:` + agency + `|` + agency + ` ?Photos?|File(?: photo)?|Photo)(?:\s*/\s*[^()]{1,60})?\))`)

func stripAgencyCaptions(line string) string {
	if !hasAgencyCredit(line) {
		return line
	}
	for range 4 {
		m := agencyCaptionRe().FindStringSubmatchIndex(line)
		if m == nil {
			break
		}
		line = strings.TrimSpace(line[:m[2]] + line[m[3]:])
	}
	return line
}

// agencyCreditRe is the inside of a bracketed agency or photo credit.
var agencyCreditRe = lazyRegexp(`^(?:` + agency + `(?: ?Photos?)?|File(?: photo)?|Photo)(?:\s*/\s*[^()]{1,60})?$`)

// hasAgencyCredit is a cheap look for "(Reuters)"-like credits after a
// sentence's end, so the caption regexp runs only on lines that have one.
func hasAgencyCredit(line string) bool {
	for off := 0; ; {
		i := strings.IndexByte(line[off:], '(')
		if i < 0 {
			return false
		}
		i += off
		j := strings.IndexByte(line[i:], ')')
		if j < 0 {
			return false
		}
		before := strings.TrimRight(line[:i], " ")
		if before != "" && strings.ContainsRune(".!?\"”’", rune(before[len(before)-1])) && agencyCreditRe().MatchString(line[i+1:i+j]) {
			return true
		}
		off = i + 1
	}
}

// gluedCreditRe is a run of reporting credits at the start of a sentence,
// however many: "Writing by Andrew Mills; Editing by Hugh Lawson",
// "(Reporting by Jane Roe in Dubai; Editing by John Smith)".
var gluedCreditRe = lazyRegexp(`^(?:\(?` + creditClause + `(?:\s*(?:;|,|and)\s*` + creditClause + `)*\s*\)?\.?)$`)

// The words a glued credit or byline can open with, checked before the
// costlier name-run search.
var (
	creditOpeners = []string{"(", "reporting", "writing", "editing", "edited", "written", "compiled", "research", "graphics", "production", "additional", "further"}
	bylineOpeners = []string{"by ", "written by", "words by"}
)

const creditClause = `(?:[Aa]dditional |[Ff]urther )?(?:[Rr]eporting|[Ww]riting|[Ee]diting|[Ee]dited|[Ww]ritten|[Cc]ompiled|[Rr]esearch|[Gg]raphics|[Pp]roduction)(?: and (?:reporting|writing|editing))? by ` + creditName + `(?:(?:,| and| &) ` + creditName + `)*(?: in ` + creditName + `)?`

// storyOpenRe is an agency dateline within a line's first words.
var storyOpenRe = lazyRegexp(`^[^()]{0,60}\(` + agency + `\)`)

// Header lines are what a page puts above its story (a share bar, a
// sign-up prompt, a byline) when a feed keeps them as lines of their own.
const (
	maxHeaderLines = 6
	maxHeaderWords = 60
)

// storyStart returns the index of the line where an agency-style story
// begins ("TEHRAN (Reuters) -", "(CNN)The …") when it is among the first
// few short lines and none above it ends like a sentence: those are page
// header ("Share this page", "Join our channel"), not the story. 0 when
// no such line is found.
func storyStart(lines []string) int {
	words, seen := 0, 0
	for i, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if storyOpenRe().MatchString(line) {
			return i
		}
		if endsSentence(line) {
			// A full sentence above the dateline is a standfirst,
			// part of the story: keep everything.
			return 0
		}
		seen++
		if words += countWords(line); seen >= maxHeaderLines || words > maxHeaderWords {
			return 0
		}
	}
	return 0
}

// endsSentence reports a line ending in terminal punctuation, perhaps
// followed by closing quotes or brackets.
func endsSentence(line string) bool {
	line = strings.TrimRight(line, " \"”’)]»")
	return strings.HasSuffix(line, ".") || strings.HasSuffix(line, "!") || strings.HasSuffix(line, "?") || strings.HasSuffix(line, "…")
}
