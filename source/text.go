package source

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// PlainText turns a feed's HTML or text field into plain text: tags
// removed with a real HTML tokenizer (script and style contents dropped,
// block elements separated by spaces), entities decoded, including
// double-escaped markup such as "&amp;lt;p&amp;gt;" or "&amp;quot;", and
// whitespace collapsed to single spaces.
func PlainText(s string) string {
	// Most titles have neither tags nor entities: skip the tokenizer.
	if strings.IndexByte(s, '<') < 0 && strings.IndexByte(s, '&') < 0 {
		return collapseSpace(s)
	}
	// Each pass decodes one level of escaping (double-escaped feeds need
	// two). A pass that changes anything makes the string shorter, so the
	// loop ends; the cap only bounds adversarial input.
	for range 8 {
		out := stripHTML(s)
		if out == s || !hasEscapedMarkup(out) {
			s = out
			break
		}
		s = out
	}
	// The check runs after collapsing, which drops invisible runes and
	// undecodable bytes: "<\xdaA>" is text to the tokenizer but would
	// become the tag "<A>" once the stray byte is gone (found by fuzzing).
	s = collapseSpace(s)
	if strings.IndexByte(s, '<') >= 0 && hasTag(s) {
		// Escaped more deeply than any real feed, or hidden as above: make
		// sure no markup survives; "< b>" is text to every HTML parser.
		s = collapseSpace(strings.ReplaceAll(s, "<", "< "))
	}
	return s
}

// hasEscapedMarkup reports what is left after one decoding pass when the
// source was escaped twice: a tag start (<p, </, <!) or an entity (&amp;,
// &#34;, &#x22;). A hand-written scan: this runs on every text field and a
// regexp was the single largest cost of normalisation.
func hasEscapedMarkup(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			if i+1 < len(s) && (isASCIILetter(s[i+1]) || s[i+1] == '/' || s[i+1] == '!') {
				return true
			}
		case '&':
			if entityAt(s[i+1:]) {
				return true
			}
		}
	}
	return false
}

// entityAt reports whether s starts with the rest of an entity after '&':
// "#123;", "#x1F;" or "name;".
func entityAt(s string) bool {
	j, digits := 0, 0
	switch {
	case len(s) > 1 && s[0] == '#' && (s[1] == 'x' || s[1] == 'X'):
		for j = 2; j < len(s) && j < 10 && isHexDigit(s[j]); j++ {
			digits++
		}
	case len(s) > 0 && s[0] == '#':
		for j = 1; j < len(s) && j < 9 && s[j] >= '0' && s[j] <= '9'; j++ {
			digits++
		}
	case len(s) > 0 && isASCIILetter(s[0]):
		for j = 0; j < len(s) && j < 32 && (isASCIILetter(s[j]) || (s[j] >= '0' && s[j] <= '9')); j++ {
			digits++
		}
		if digits < 2 {
			return false
		}
	}
	return digits > 0 && j < len(s) && s[j] == ';'
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f'
}

// blockTags end a run of text: their boundaries become spaces so that
// "<p>one</p><p>two</p>" reads "one two", not "onetwo".
var blockTags = map[atom.Atom]bool{
	atom.P: true, atom.Br: true, atom.Div: true, atom.Li: true, atom.Ul: true, atom.Ol: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Tr: true, atom.Td: true, atom.Th: true, atom.Table: true, atom.Blockquote: true,
	atom.Section: true, atom.Article: true, atom.Header: true, atom.Footer: true,
	atom.Figure: true, atom.Figcaption: true, atom.Hr: true, atom.Pre: true, atom.Dd: true,
	atom.Dt: true, atom.Dl: true, atom.Img: true, atom.Aside: true, atom.Nav: true,
}

// skipTags hold no readable text.
var skipTags = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Object: true, atom.Svg: true, atom.Math: true, atom.Head: true,
}

// stripHTML drops tags, keeping text with its entities decoded. Markup
// made of plain tags, the usual feed content, takes stripSimpleHTML, which
// gives the tokenizer's result at a fraction of its cost (the tokenizer
// was most of the cost of normalising JSON Feed content, whose raw parse
// is cheap beside XML's); anything else goes to the tokenizer.
func stripHTML(s string) string {
	if out, ok := stripSimpleHTML(s); ok {
		return out
	}
	return stripHTMLTokens(s)
}

// stripSimpleHTML is stripHTMLTokens for markup the tokenizer reads
// without surprises: start and end tags whose names start with a letter,
// none of the tags that change how the tokenizer reads what follows
// (script, style, title and the other raw-text elements) or that
// stripHTMLTokens skips, and no comments, doctypes, unterminated tags or
// NUL bytes. ok is false for anything else, and the caller falls back to
// the tokenizer; FuzzStripHTML checks that the two agree whenever ok is
// true.
func stripSimpleHTML(s string) (string, bool) {
	if strings.IndexByte(s, 0) >= 0 {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(s))
	text := func(t string) {
		if strings.IndexByte(t, '\r') >= 0 {
			t = strings.ReplaceAll(strings.ReplaceAll(t, "\r\n", "\n"), "\r", "\n")
		}
		b.WriteString(html.UnescapeString(t))
	}
	var name [16]byte // tag names are short; longer ones are no known atom
	start := 0        // of the text not yet written
	for i := 0; i < len(s); {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			break
		}
		i += lt
		j := i + 1
		if j < len(s) && s[j] == '/' {
			j++
		}
		if j >= len(s) {
			return "", false // "<" or "</" at the end: leave it to the tokenizer
		}
		if strings.HasPrefix(s[i:], "<!--") {
			end, ok := scanComment(s, i+len("<!--"))
			if !ok {
				return "", false
			}
			text(s[start:i]) // the tokenizer drops comments
			i, start = end, end
			continue
		}
		if !isASCIILetter(s[j]) {
			if s[j] == '!' || s[j] == '?' || s[j] == '/' || s[i+1] == '/' {
				return "", false // doctype, bogus comment
			}
			i++ // "<" followed by anything else is text
			continue
		}
		nameEnd, end, ok := scanTag(s, j)
		if !ok {
			return "", false
		}
		a := atom.Atom(0)
		if n := nameEnd - j; n <= len(name) {
			for k := range n {
				c := s[j+k]
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				name[k] = c
			}
			a = atom.Lookup(name[:n])
		}
		switch {
		case rawSkipTags[a] && s[i+1] != '/':
			// Skipped whole, as stripHTMLTokens does: the start tag and
			// the end tag are a space each, the raw text between them
			// nothing. Self-closing, the tokenizer would still read
			// what follows as raw text, but not skip it.
			if s[end-2] == '/' {
				return "", false
			}
			close := rawEndTag(s, end, a.String())
			if close < 0 {
				return "", false
			}
			_, closeEnd, ok := scanTag(s, close+2)
			if !ok {
				return "", false
			}
			text(s[start:i])
			b.WriteString("  ")
			i, start = closeEnd, closeEnd
			continue
		case skipTags[a] || rawTextTags[a]:
			return "", false
		}
		text(s[start:i])
		if blockTags[a] {
			b.WriteByte(' ')
		}
		i, start = end, end
	}
	text(s[start:])
	return b.String(), true
}

// scanTag reads a tag whose name starts at s[j] as the tokenizer does
// (Tokenizer.readTag: names, attribute keys, quoted and unquoted values),
// returning where the name ends and the index after the closing '>'; ok is
// false when the input ends first.
func scanTag(s string, j int) (nameEnd, end int, ok bool) {
	isSpace := func(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' }
	i := j
	for i < len(s) && !isSpace(s[i]) && s[i] != '/' && s[i] != '>' {
		i++
	}
	nameEnd = i
	skip := func() {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
	}
	skip()
	for {
		if i >= len(s) {
			return 0, 0, false
		}
		if s[i] == '>' {
			return nameEnd, i + 1, true
		}
		// The attribute key: a leading '=' belongs to it.
		k := i
		for i < len(s) {
			c := s[i]
			if (c == '=' && i > k) || isSpace(c) || c == '/' || c == '>' {
				break
			}
			i++
		}
		// Its value, if any.
		skip()
		if i >= len(s) {
			return 0, 0, false
		}
		switch s[i] {
		case '/':
			i++
		case '=':
			i++
			skip()
			if i >= len(s) {
				return 0, 0, false
			}
			switch q := s[i]; q {
			case '>':
			case '"', '\'':
				e := strings.IndexByte(s[i+1:], q)
				if e < 0 {
					return 0, 0, false
				}
				i += 1 + e + 1
			default:
				for i < len(s) && !isSpace(s[i]) && s[i] != '>' {
					i++
				}
				if i < len(s) && isSpace(s[i]) {
					i++
				}
			}
		}
		skip()
	}
}

// rawSkipTags are the rawTextTags that stripHTMLTokens skips, except
// script, whose end the tokenizer finds by rules of its own.
var rawSkipTags = map[atom.Atom]bool{atom.Iframe: true, atom.Noscript: true, atom.Style: true}

// rawEndTag finds the end tag of raw text that starts at s[i], as the
// tokenizer does (Tokenizer.readRawEndTag): "</" and the name in any case,
// then a space, '/' or '>'. It returns the index of its '<', or -1.
func rawEndTag(s string, i int, name string) int {
	for {
		k := strings.Index(s[i:], "</")
		if k < 0 {
			return -1
		}
		i += k
		rest := s[i+2:]
		if len(rest) > len(name) && strings.EqualFold(rest[:len(name)], name) {
			switch rest[len(name)] {
			case ' ', '\n', '\r', '\t', '\f', '/', '>':
				return i
			}
		}
		i += 2
	}
}

// scanComment reads a comment whose "<!--" ends at s[i] as the tokenizer
// does (Tokenizer.readComment: "-->", "--!>", and "<!-->" or "<!--->"
// empty), returning the index after it; ok is false when the input ends
// first.
func scanComment(s string, i int) (end int, ok bool) {
	dashes, beginning := 0, true
	for i < len(s) {
		c := s[i]
		i++
		switch c {
		case '-':
			dashes++
			continue
		case '>':
			if dashes >= 2 || beginning {
				return i, true
			}
		case '!':
			if dashes >= 2 {
				if i >= len(s) {
					return 0, false
				}
				c = s[i]
				i++
				if c == '>' {
					return i, true
				}
				if c == '-' {
					dashes, beginning = 1, false
					continue
				}
			}
		}
		dashes, beginning = 0, false
	}
	return 0, false
}

// rawTextTags make the tokenizer read what follows as raw text, up to
// their end tag (see stripSimpleHTML).
var rawTextTags = map[atom.Atom]bool{
	atom.Iframe: true, atom.Noembed: true, atom.Noframes: true, atom.Noscript: true,
	atom.Plaintext: true, atom.Script: true, atom.Style: true, atom.Textarea: true,
	atom.Title: true, atom.Xmp: true,
}

// stripHTMLTokens is stripHTML with golang.org/x/net/html's tokenizer.
func stripHTMLTokens(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skipTags[a] {
				switch tt {
				case html.StartTagToken:
					skip++
				case html.EndTagToken:
					if skip > 0 {
						skip--
					}
				}
				b.WriteByte(' ')
				continue
			}
			if blockTags[a] {
				b.WriteByte(' ')
			}
		}
	}
}

// collapseSpace joins words with single spaces and drops control and
// invisible characters, keeping the joiners Persian and Arabic text needs.
// ASCII, most of any feed's text, takes a byte path: decoding and
// classifying every rune was the largest cost of normalising JSON Feed
// content, whose raw parse is cheap beside XML's.
func collapseSpace(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false // a space is owed before the next visible rune
	for i := 0; i < len(s); {
		if c := s[i]; c > ' ' && c < 0x7f {
			// A run of visible ASCII is copied whole.
			j := i + 1
			for j < len(s) && s[j] > ' ' && s[j] < 0x7f {
				j++
			}
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteString(s[i:j])
			i = j
			continue
		}
		if c := s[i]; c < utf8.RuneSelf {
			i++
			switch {
			case c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r':
				space = b.Len() > 0
				continue
			case c < 0x20 || c == 0x7f:
				continue
			}
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteByte(c)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\u200b' || r == '\ufeff' || r == '\u00ad' || r == utf8.RuneError:
			// Zero-width space, BOM, soft hyphen, and the replacement
			// character left by undecodable bytes: invisible or noise.
			continue
		case r == '\u200c' || r == '\u200d': // ZWNJ/ZWJ carry meaning in Persian
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// truncateText shortens s to at most n runes, at a word boundary when one
// is near, adding an ellipsis. It looks at the first n runes only: a
// description cut from a whole article must not cost the article.
func truncateText(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	offs := make([]int, 0, n+1) // byte offset of each of the first n+1 runes
	for i := range s {
		if len(offs) > n {
			break
		}
		offs = append(offs, i)
	}
	if len(offs) <= n {
		return s
	}
	cut := n - 1
	for i := cut; i > n*2/3; i-- {
		if s[offs[i]] == ' ' {
			cut = i
			break
		}
	}
	return strings.TrimRightFunc(s[:offs[cut]], unicode.IsSpace) + "…"
}

// hasTag reports whether s still contains something an HTML tokenizer
// would read as a tag; used by tests and fuzzing as an invariant.
func hasTag(s string) bool {
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return false
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			return true
		}
	}
}
