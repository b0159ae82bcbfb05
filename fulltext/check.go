package fulltext

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/briefbot/briefbot/article"
	"github.com/briefbot/briefbot/story"
)

// Reasons a fetched page is not the item's article, each a metric label
// and a sentence for /why.
const (
	ReasonPaywall    = "paywall"
	ReasonConsent    = "consent"
	ReasonJavaScript = "javascript"
	ReasonHomePage   = "home_page"
	ReasonMismatch   = "mismatch"
	ReasonLanguage   = "language"
)

var reasonText = map[string]string{
	ReasonPaywall:    "the page is behind a subscription wall",
	ReasonConsent:    "the page is a cookie or consent notice",
	ReasonJavaScript: "the page needs JavaScript to show the article",
	ReasonHomePage:   "the link redirects to the site's home page",
	ReasonMismatch:   "the page's text does not match the item's headline",
	ReasonLanguage:   "the page is in another language than the item",
}

// Each phrase list below is a class of page, not one site: the wording
// publishers' wall and consent templates use (lower case, matched in the
// page's visible text).
var (
	// Subscription and registration walls.
	paywallPhrases = []string{
		"subscribe to continue reading", "subscribe to read", "subscribe now to read",
		"to continue reading, subscribe", "continue reading with a subscription",
		"this article is for subscribers", "this content is for subscribers", "exclusive to subscribers",
		"subscribers only", "already a subscriber", "already have an account? log in",
		"you have reached your free article limit", "you've reached your limit of free articles",
		"register to continue reading", "sign in to continue reading", "create a free account to continue",
	}
	// Cookie and consent interstitials.
	consentPhrases = []string{
		"we use cookies", "this site uses cookies", "uses cookies and similar technologies",
		"accept all cookies", "manage cookie preferences", "cookie settings", "reject all",
		"we value your privacy", "your privacy choices", "consent to the use of",
		"before you continue", "partners process personal data",
	}
	// Pages that render their article with scripts.
	javascriptPhrases = []string{
		"enable javascript", "javascript is disabled", "javascript is required",
		"requires javascript", "turn on javascript", "please enable js", "javascript must be enabled",
		"your browser does not support javascript",
	}
	// isAccessibleForFree false is schema.org's paywall flag (JSON-LD or microdata).
	notFreeRe = regexp.MustCompile(`(?i)"?isAccessibleForFree"?\s*[:=]\s*"?false`)
	// Hosts that serve consent walls in front of other sites.
	consentHosts = []string{"consent.", "privacy.", "cmp."}
)

// Below wallWords article words, extracted text that speaks of walls or
// consent is that wall, not an article that mentions one; below
// wallLeadWords, wall wording anywhere in the page counts too (a walled page
// shows a lead of a paragraph or two, while a full article's page may
// carry "Already a subscriber?" in its header).
const (
	wallWords     = 250
	wallLeadWords = 150
)

// checkPage says why a page whose article was extracted is not the item's
// article ("" when it is). raw is the page's HTML, a the extraction.
func checkPage(it story.Item, pageURL string, raw []byte, a article.Article) string {
	final, _ := url.Parse(pageURL)
	orig, _ := url.Parse(it.Link)
	if final != nil {
		for _, h := range consentHosts {
			if strings.HasPrefix(final.Hostname(), h) {
				return ReasonConsent
			}
		}
		if orig != nil && isHomePath(final.Path) && !isHomePath(orig.Path) {
			return ReasonHomePage
		}
	}
	body := strings.ToLower(string(raw))
	text := strings.ToLower(a.Text)
	short, lead := a.Words() < wallWords, a.Words() < wallLeadWords
	switch {
	case short && notFreeRe.Match(raw):
		// Metered sites flag every article; a page that gave us the
		// whole text is read, one cut to its lead is the wall.
		return ReasonPaywall
	case short && containsAny(text, paywallPhrases), lead && containsAny(body, paywallPhrases):
		return ReasonPaywall
	case short && containsAny(text, consentPhrases):
		return ReasonConsent
	case lead && containsAny(body, javascriptPhrases):
		return ReasonJavaScript
	}
	if otherLanguage(it, a) {
		return ReasonLanguage
	}
	if !matchesHeadline(it.Title, a) {
		return ReasonMismatch
	}
	return ""
}

// checkEmpty says why a page with no extractable article has none, when
// the page shows it is a wall ("" otherwise).
func checkEmpty(raw []byte) string {
	body := strings.ToLower(string(raw))
	switch {
	case notFreeRe.Match(raw), containsAny(body, paywallPhrases):
		return ReasonPaywall
	case containsAny(body, consentPhrases):
		return ReasonConsent
	case containsAny(body, javascriptPhrases):
		return ReasonJavaScript
	}
	return ""
}

func isHomePath(p string) bool {
	p = strings.Trim(strings.ToLower(p), "/")
	switch p {
	case "", "index.html", "index.php", "home", "en", "news":
		return true
	}
	return false
}

func containsAny(s string, subs []string) bool {
	return slices.ContainsFunc(subs, func(sub string) bool { return strings.Contains(s, sub) })
}

// matchesHeadline reports whether at least half of the headline's
// distinctive words (four letters or more) appear in the page's title or
// text. A headline with fewer than two such words is not judged.
func matchesHeadline(title string, a article.Article) bool {
	words := distinctive(title)
	if len(words) < 2 {
		return true
	}
	page := map[string]bool{}
	for _, w := range wordsOf(a.Title + " " + a.Text) {
		page[w] = true
		page[stem(w)] = true
	}
	found := 0
	for _, w := range words {
		if page[w] || page[stem(w)] {
			found++
		}
	}
	return 2*found >= len(words)
}

// distinctive is the headline's words of four letters or more, lower case.
func distinctive(s string) []string {
	var out []string
	for _, w := range wordsOf(s) {
		if len([]rune(w)) >= 4 {
			out = append(out, w)
		}
	}
	return out
}

func wordsOf(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.Mn, r) && r != '\u200c'
	})
}

// stem drops the commonest English inflections, so "talks" matches "talk"
// and "agreed" matches "agree"; other scripts pass through.
func stem(w string) string {
	for _, suf := range []string{"ing", "ed", "es", "s"} {
		if len(w) > len(suf)+3 && strings.HasSuffix(w, suf) {
			return w[:len(w)-len(suf)]
		}
	}
	return w
}

// otherLanguage reports whether the page is in a different language from
// the item: by their declared languages when both have one, else by
// script (a Latin-script headline over an Arabic-script page, or the
// reverse).
func otherLanguage(it story.Item, a article.Article) bool {
	ts, ps := script(it.Title), script(a.Text)
	if ts != "" && ps != "" && ts != ps {
		return true
	}
	il := primary(it.Language)
	if il == "" || ps != "latin" {
		return false
	}
	// Same script: the page's function words tell its language, whatever
	// its lang attribute says (sites often leave lang="en" on every page).
	guess := latinLanguage(a.Text)
	return guess != "" && guess != il
}

// Function words of the Latin-script languages briefbot's feeds carry:
// frequent in any text of the language, rare in the others.
var functionWords = map[string][]string{
	"en": {"the", "and", "of", "to", "is", "that", "with", "was", "for", "said"},
	"fr": {"le", "les", "des", "est", "et", "une", "dans", "pour", "que", "qui"},
	"de": {"der", "die", "und", "das", "ist", "nicht", "mit", "den", "sich", "auf"},
	"es": {"el", "los", "las", "del", "y", "que", "por", "una", "con", "para"},
	"it": {"il", "della", "che", "di", "non", "per", "una", "sono", "gli", "anche"},
	"pt": {"o", "os", "das", "do", "não", "uma", "com", "para", "que", "em"},
	"tr": {"ve", "bir", "bu", "için", "ile", "olarak", "da", "de", "çok", "gibi"},
}

// latinLanguage guesses the language of a Latin-script text from its
// function words: the language whose words make up most of the text, if
// they are a clear share of it (one word in eight); "" otherwise.
func latinLanguage(text string) string {
	words := wordsOf(text)
	if len(words) < 40 {
		return ""
	}
	count := map[string]int{}
	for _, w := range words {
		for lang, fw := range functionWords {
			for _, f := range fw {
				if w == f {
					count[lang]++
					break
				}
			}
		}
	}
	best, bestN := "", 0
	for lang, n := range count {
		if n > bestN || n == bestN && lang < best {
			best, bestN = lang, n
		}
	}
	if 8*bestN < len(words) {
		return ""
	}
	return best
}

func primary(tag string) string {
	tag, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	tag, _, _ = strings.Cut(tag, "_")
	return tag
}

// scripts a headline or page is told apart by; others count as neither.
var scripts = []struct {
	name  string
	table *unicode.RangeTable
}{
	{"latin", unicode.Latin}, {"arabic", unicode.Arabic}, {"hebrew", unicode.Hebrew},
	{"cyrillic", unicode.Cyrillic}, {"han", unicode.Han},
}

// script is the script of most of s's letters, "" when no script has a
// clear majority (two thirds) or s has few letters.
func script(s string) string {
	counts := make([]int, len(scripts))
	total := 0
	for _, r := range s {
		if !unicode.IsLetter(r) {
			continue
		}
		total++
		for i, sc := range scripts {
			if unicode.Is(sc.table, r) {
				counts[i]++
				break
			}
		}
	}
	if total < 12 {
		return ""
	}
	for i, n := range counts {
		if 3*n >= 2*total {
			return scripts[i].name
		}
	}
	return ""
}
