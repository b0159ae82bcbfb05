package summarize

import (
	"bufio"
	_ "embed"
	"fmt"
	"hash/fnv"
	"io"
	"sort"
	"strings"

	"github.com/briefbot/briefbot/summarize/rouge"
)

// The injection check: boilerplate phrasings seen on real pages and feeds
// are put into real articles — at the head, in the middle, at the tail,
// and glued to a sentence on one line, as feeds that flatten a page do —
// and no summary of them may contain any of it.

//go:embed testdata/boilerplate.txt
var boilerplateFile string

// Phrasing is one boilerplate phrasing and its class.
type Phrasing struct {
	Class, Text string
}

// DefaultPhrasings are the committed phrasings (testdata/boilerplate.txt).
func DefaultPhrasings() []Phrasing {
	p, err := ReadPhrasings(strings.NewReader(boilerplateFile))
	if err != nil {
		panic(fmt.Sprintf("summarize: committed boilerplate phrasings: %v", err))
	}
	return p
}

// ReadPhrasings reads the phrasings format: "== class" opens a class,
// "source:" and "#" lines are notes, every other non-blank line is a
// phrasing of the current class.
func ReadPhrasings(r io.Reader) ([]Phrasing, error) {
	var out []Phrasing
	class := ""
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "source:"):
		case strings.HasPrefix(line, "=="):
			class = strings.TrimSpace(strings.TrimPrefix(line, "=="))
		case class == "":
			return nil, fmt.Errorf("phrasings line %d: phrasing %q before any \"== class\" line", n, line)
		default:
			out = append(out, Phrasing{Class: class, Text: line})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading phrasings: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no phrasings: want \"== class\" lines each followed by phrasings")
	}
	return out, nil
}

// Where boilerplate is put into an article.
var injectPlaces = []string{"head", "middle", "tail", "glued-head", "glued-middle", "glued-tail"}

// Injection is one article with boilerplate put into it.
type Injection struct {
	PairID, Where string
	Phrasing      Phrasing
	// Also are further phrasings put in with Phrasing: the "stacked"
	// place puts furniture of every class at head, middle and tail at
	// once, as a page does.
	Also     []Phrasing
	Original string // the article before injection
	Article  string
}

// Inject puts phrasings into up to n articles of pairs (chosen by a stable
// hash of their ids, leaving out tokenized research text, which no feed
// carries): every class at every place, rotating through each class's
// phrasings so each is used in several articles and places.
func Inject(pairs []Pair, phr []Phrasing, n int) []Injection {
	var picked []Pair
	for _, p := range pairs {
		if !looksTokenized(p.Article) && countWords(p.Article) >= 150 {
			picked = append(picked, p)
		}
	}
	hash := func(s string) uint32 { h := fnv.New32a(); h.Write([]byte(s)); return h.Sum32() }
	sort.SliceStable(picked, func(i, j int) bool { return hash(picked[i].ID) < hash(picked[j].ID) })
	if len(picked) > n {
		picked = picked[:n]
	}
	byClass := map[string][]Phrasing{}
	var classes []string
	for _, p := range phr {
		if byClass[p.Class] == nil {
			classes = append(classes, p.Class)
		}
		byClass[p.Class] = append(byClass[p.Class], p)
	}
	var out []Injection
	k := 0
	for _, p := range picked {
		for _, c := range classes {
			for _, where := range injectPlaces {
				ph := byClass[c][k%len(byClass[c])]
				k++
				out = append(out, Injection{PairID: p.ID, Where: where, Phrasing: ph, Original: p.Article, Article: inject(p.Article, ph.Text, where)})
			}
		}
		out = append(out, stack(p, classes, byClass, &k))
	}
	return out
}

// stack puts one phrasing of every class into the article, the classes
// dealt in turn to head, middle and tail, each place's on lines of their
// own or glued, alternately.
func stack(p Pair, classes []string, byClass map[string][]Phrasing, k *int) Injection {
	var parts [3][]string
	in := Injection{PairID: p.ID, Where: "stacked", Original: p.Article}
	for i, c := range classes {
		ph := byClass[c][*k%len(byClass[c])]
		*k++
		if i == 0 {
			in.Phrasing = ph
		} else {
			in.Also = append(in.Also, ph)
		}
		parts[i%3] = append(parts[i%3], ph.Text)
	}
	sep := "\n"
	if *k%2 == 0 {
		sep = " "
	}
	text := p.Article
	if len(parts[1]) > 0 {
		text = inject(text, strings.Join(parts[1], sep), "middle")
	}
	if len(parts[0]) > 0 {
		text = strings.Join(parts[0], sep) + sep + text
	}
	if len(parts[2]) > 0 {
		text = text + sep + strings.Join(parts[2], sep)
	}
	in.Article = text
	return in
}

// inject puts phrase into text at where: on lines of its own, or, for the
// "glued-" places, joined by a space to the text on the same line.
func inject(text, phrase, where string) string {
	sep := "\n"
	if strings.HasPrefix(where, "glued-") {
		sep = " "
	}
	switch strings.TrimPrefix(where, "glued-") {
	case "head":
		return phrase + sep + text
	case "middle":
		mid := middleBoundary(text)
		return strings.TrimRight(text[:mid], " ") + sep + phrase + sep + text[mid:]
	case "tail":
		return text + sep + phrase
	}
	panic("summarize: unknown injection place " + where)
}

// middleBoundary is the offset of the sentence start nearest the middle
// of text (after the first sentence, so the middle is not the head).
func middleBoundary(text string) int {
	best, off := len(text), 0
	for i, s := range SplitSentences(text) {
		at := strings.Index(text[off:], s) + off
		off = at + len(s)
		if i == 0 {
			continue
		}
		if d := abs(at - len(text)/2); d < abs(best-len(text)/2) {
			best = at
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Leaked reports whether summary carries text of phrase that original did
// not: any three consecutive words of the phrase (or the whole phrase when
// shorter), compared as ROUGE tokens.
func Leaked(phrase, original, summary string) bool {
	p := rouge.Tokenize(phrase, false)
	if len(p) == 0 {
		return false
	}
	s := " " + strings.Join(rouge.Tokenize(summary, false), " ") + " "
	o := " " + strings.Join(rouge.Tokenize(original, false), " ") + " "
	w := min(3, len(p))
	for i := 0; i+w <= len(p); i++ {
		g := " " + strings.Join(p[i:i+w], " ") + " "
		if strings.Contains(s, g) && !strings.Contains(o, g) {
			return true
		}
	}
	return false
}

// Leak is one summary that carries injected boilerplate.
type Leak struct {
	Injection
	Summary string
}

// BoilerplateReport counts summaries of injected articles that carry
// boilerplate.
type BoilerplateReport struct {
	Articles, Summaries int
	Leaks               []Leak
}

// CheckBoilerplate summarizes every injection with e and collects leaks.
func CheckBoilerplate(e *Extractive, inj []Injection) BoilerplateReport {
	r := BoilerplateReport{Summaries: len(inj)}
	seen := map[string]bool{}
	for _, in := range inj {
		if !seen[in.PairID] {
			seen[in.PairID] = true
			r.Articles++
		}
		s := e.SummarizeText("", in.Article)
		for _, ph := range append([]Phrasing{in.Phrasing}, in.Also...) {
			if Leaked(ph.Text, in.Original, s.Text) {
				l := Leak{Injection: in, Summary: s.Text}
				l.Phrasing = ph
				r.Leaks = append(r.Leaks, l)
				break
			}
		}
	}
	return r
}

// WriteText prints the count and the first leaks.
func (r BoilerplateReport) WriteText(w io.Writer, show int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "boilerplate injection: %d of %d summaries (%d articles; each class at %d places, and all classes at once) contain injected boilerplate (target 0)\n",
		len(r.Leaks), r.Summaries, r.Articles, len(injectPlaces))
	for i, l := range r.Leaks {
		if i == show {
			fmt.Fprintf(&b, "  … %d more\n", len(r.Leaks)-show)
			break
		}
		fmt.Fprintf(&b, "  %s %s %s %q: %q\n", l.PairID, l.Where, l.Phrasing.Class, l.Phrasing.Text, l.Summary)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
