package source

import (
	"bytes"
	"fmt"
)

// A feed's tree is shallow and its elements few per byte of text, but
// gofeed builds a node, and often a map, for every element it meets:
// 1.5 million nested elements in a 10 MiB body cost half a gigabyte. Parse
// therefore scans the body's markup first, a byte loop far cheaper than
// the parse, and refuses documents that nest, branch or list items beyond
// any real feed's shape before gofeed sees them. The real feeds in
// testdata/feeds nest at most 10 deep, hold at most 1,700 elements and
// attributes and 70 items.
const (
	// maxNesting is far past real feeds and far below what costs memory.
	maxNesting = 256
	// maxTokens bounds elements and attributes (XML) or containers and
	// values (JSON): 40 per item over 5,000 items. Attributes count because
	// gofeed keeps each in a map: one element with 2 million of them cost
	// 440 MB.
	maxTokens = 200_000
	// maxItems bounds items: each costs far more than an element once
	// parsed and normalised (99,000 two-element items cost 210 MB).
	maxItems = 5_000
)

// shape is what measureShape counts.
type shape struct {
	depth  int // deepest nesting
	tokens int // elements and attributes, or JSON containers and values
	items  int // item/entry elements, or JSON objects at item depth
}

func (s shape) over() bool {
	return s.depth > maxNesting || s.tokens > maxTokens || s.items > maxItems
}

// checkShape refuses a body whose markup is beyond the bounds above. It
// does not validate: anything it cannot read is left to the parser.
func checkShape(body []byte) error {
	s := measureShape(body)
	var what string
	switch {
	case s.depth > maxNesting:
		what = fmt.Sprintf("elements nest more than %d deep", maxNesting)
	case s.tokens > maxTokens:
		what = fmt.Sprintf("it has more than %d elements and attributes", maxTokens)
	case s.items > maxItems:
		what = fmt.Sprintf("it lists more than %d items", maxItems)
	default:
		return nil
	}
	return newError(ErrMalformedFeed, "feed is malformed: "+what+
		", far beyond any real feed; it was not parsed (check that the URL serves the feed)", nil)
}

// measureShape scans body, stopping as soon as a bound is passed.
func measureShape(body []byte) shape {
	if i := firstNonSpace(body); i >= 0 && (body[i] == '{' || body[i] == '[') {
		return jsonShape(body[i:])
	}
	return xmlShape(body)
}

func firstNonSpace(b []byte) int {
	for i, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
		default:
			return i
		}
	}
	return -1
}

var (
	commentEnd = []byte("-->")
	cdataStart = []byte("<![CDATA[")
	cdataEnd   = []byte("]]>")
	piEnd      = []byte("?>")
)

func xmlShape(b []byte) shape {
	var s shape
	depth := 0
	for {
		i := bytes.IndexByte(b, '<')
		if i < 0 || i+1 >= len(b) {
			return s
		}
		b = b[i+1:]
		switch b[0] {
		case '/':
			if depth > 0 {
				depth--
			}
			b = skipPast(b, '>')
		case '?':
			b = skipPastSeq(b, piEnd)
		case '!':
			switch {
			case bytes.HasPrefix(b[1:], commentEnd[:2]): // "<!--"
				b = skipPastSeq(b[3:], commentEnd)
			case bytes.HasPrefix(b, cdataStart[1:]):
				b = skipPastSeq(b, cdataEnd)
			default: // DOCTYPE: its internal subset may hold '>' inside brackets
				b = skipDoctype(b)
			}
		default:
			end, attrs, selfClosing := tagEnd(b)
			void, item := classifyTag(b[:end])
			b = b[end:]
			s.tokens += 1 + attrs
			if item {
				s.items++
			}
			if !selfClosing && !void {
				depth++
				s.depth = max(s.depth, depth)
			}
			if s.over() {
				return s
			}
		}
	}
}

// classifyTag reads a start tag's name (without namespace prefix):
// HTML void elements, which feeds carry unescaped in descriptions ("<br>")
// and which never nest; and RSS items or Atom entries. ("link" is not
// void: RSS closes it.)
func classifyTag(tag []byte) (void, item bool) {
	n := 0
	for n < len(tag) {
		c := tag[n]
		if c == ' ' || c == '/' || c == '>' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
		n++
	}
	name := tag[:n]
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	if len(name) > 6 {
		return false, false
	}
	var buf [6]byte
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	switch string(buf[:len(name)]) {
	case "br", "img", "hr", "meta", "input", "source", "wbr", "area", "base", "col", "embed", "param", "track":
		return true, false
	case "item", "entry":
		return false, true
	}
	return false, false
}

// tagEnd finds the end of a start tag, skipping quoted attribute values;
// how many attributes it has (words after the name, an upper bound); and
// whether it closes itself ("<a/>").
func tagEnd(b []byte) (end, attrs int, selfClosing bool) {
	var quote byte
	space := false
	for i, c := range b {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i + 1, attrs, i > 0 && b[i-1] == '/'
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			space = true
			continue
		case space && c != '/' && c != '=':
			attrs++
		}
		space = false
	}
	return len(b), attrs, false
}

func skipPast(b []byte, c byte) []byte {
	if i := bytes.IndexByte(b, c); i >= 0 {
		return b[i+1:]
	}
	return nil
}

func skipPastSeq(b, seq []byte) []byte {
	if i := bytes.Index(b, seq); i >= 0 {
		return b[i+len(seq):]
	}
	return nil
}

func skipDoctype(b []byte) []byte {
	brackets := 0
	for i, c := range b {
		switch c {
		case '[':
			brackets++
		case ']':
			brackets--
		case '>':
			if brackets <= 0 {
				return b[i+1:]
			}
		}
	}
	return nil
}

// jsonShape counts containers and the commas between values (decoded
// values each cost an allocation: a million tags as much as a million
// items), and objects three deep, where JSON Feed's items are.
func jsonShape(b []byte) shape {
	var s shape
	depth := 0
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			// Jump to the next quote or backslash: strings are most of a feed.
			j := bytes.IndexAny(b[i:], `"\`)
			if j < 0 {
				return s
			}
			i += j
			if b[i] == '\\' {
				i++ // the escaped character
			} else {
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			s.tokens++
			s.depth = max(s.depth, depth)
			if c == '{' && depth == 3 {
				s.items++
			}
			if s.over() {
				return s
			}
		case ',':
			s.tokens++
			if s.over() {
				return s
			}
		case '}', ']':
			depth--
		}
	}
	return s
}
