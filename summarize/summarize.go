// Package summarize turns a news article into a short, faithful summary:
// it cleans away page boilerplate, splits the text into sentences and
// extracts the few that best cover the story. It is pure and fast (no I/O),
// so the pipeline can summarise every relevant item as it arrives.
//
// Summarizer is the seam for other backends (an LLM, later); Extractive is
// the built-in one and the fallback.
package summarize

import (
	"context"
	"math"
	"sort"
	"strings"
	"unicode/utf8"
)

// Article is what a summarizer reads.
type Article struct {
	Title string
	// Text is the body or, for feeds that carry only a teaser, the
	// description. HTML remnants are tolerated.
	Text string
	// Language is a BCP 47 tag such as "en"; empty means unknown. The
	// extractive summarizer is tuned for English and degrades to position
	// and overlap cues elsewhere.
	Language string
}

// Summary is a summarizer's output.
type Summary struct {
	// Text is the summary as one string, sentences joined by spaces.
	Text string
	// Sentences are the summary's sentences in article order.
	Sentences []string
	// Title is the article's headline in English, when the summarizer
	// translated it (an article not in English); "" otherwise, and the
	// article's own title stands.
	Title string
}

// Words returns the number of whitespace-separated words in the summary.
func (s Summary) Words() int { return countWords(s.Text) }

// Summarizer writes a summary of an article.
type Summarizer interface {
	Summarize(ctx context.Context, a Article) (Summary, error)
}

// Default limits: short enough for a chat message, long enough for the
// who, what and where of a story.
const (
	DefaultMaxSentences = 3
	DefaultMaxWords     = 75
)

// Options bounds a summary. Zero fields take the defaults.
type Options struct {
	MaxSentences int
	MaxWords     int
}

func (o Options) withDefaults() Options {
	if o.MaxSentences <= 0 {
		o.MaxSentences = DefaultMaxSentences
	}
	if o.MaxWords <= 0 {
		o.MaxWords = DefaultMaxWords
	}
	return o
}

// Extractive picks whole sentences from the cleaned article. It scores each
// sentence by position (news puts the key facts first), centrality (how
// much it shares with the rest of the article), overlap with the title and
// a few shape cues, then selects greedily with maximal marginal relevance so
// the chosen sentences do not repeat each other. The output keeps article
// order.
type Extractive struct {
	opts Options
	p    params
}

var _ Summarizer = (*Extractive)(nil)

// New returns an extractive summarizer with the given limits.
func New(opts Options) *Extractive {
	return &Extractive{opts: opts.withDefaults(), p: defaultParams}
}

// Summarize implements Summarizer. It never fails; the error is for
// backends that can.
func (e *Extractive) Summarize(ctx context.Context, a Article) (Summary, error) {
	if err := ctx.Err(); err != nil {
		return Summary{}, err
	}
	return e.SummarizeText(a.Title, a.Text), nil
}

// SummarizeText summarises text, using title (which may be empty) as a cue.
func (e *Extractive) SummarizeText(title, text string) Summary {
	sents := cleanSentences(text)
	if len(sents) == 0 {
		return Summary{}
	}
	texts := make([]string, len(sents))
	total := 0
	for i, s := range sents {
		texts[i] = s.text
		total += countWords(s.text)
	}
	if len(texts) <= e.opts.MaxSentences {
		// A teaser: it is its own summary, cut to the word cap.
		if total <= e.opts.MaxWords {
			return makeSummary(texts)
		}
		return makeSummary(e.lead(texts))
	}
	picked := e.rank(title, texts, looksTokenized(strings.Join(texts, " ")))
	if len(picked) == 0 {
		return makeSummary(e.lead(texts))
	}
	out := make([]string, len(picked))
	for i, idx := range picked {
		out[i] = texts[idx]
	}
	return makeSummary(out)
}

// lead returns the leading sentences that fit the limits, or the first
// sentence cut at the word cap when even it is too long.
func (e *Extractive) lead(texts []string) []string {
	var out []string
	budget := e.opts.MaxWords
	for _, t := range texts {
		n := countWords(t)
		if n > budget || len(out) == e.opts.MaxSentences {
			break
		}
		out = append(out, t)
		budget -= n
	}
	if len(out) == 0 {
		out = []string{truncateWords(texts[0], e.opts.MaxWords)}
	}
	return out
}

func makeSummary(sents []string) Summary {
	return Summary{Text: strings.Join(sents, " "), Sentences: sents}
}

// truncateWords cuts s to at most n words, at a word boundary, marking the
// cut with an ellipsis.
func truncateWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) <= n {
		return s
	}
	return strings.TrimRight(strings.Join(f[:n], " "), ",;:-–— ") + "…"
}

// params are the weights of the sentence score. Position dominates, as it
// does in news writing; centrality decides among the early sentences. They
// are fitted (see fit.go, `briefbot eval summaries --fit`), never set by
// hand, and cross-validated before they are committed.
type params struct {
	position, centrality, title float64
	// posExp shapes the position prior 1/(i+1)^posExp.
	posExp float64
	// leadBonus is added to the lead (the first sentences that can be
	// picked, up to the sentence limit) unless a lead sentence is a teaser
	// question or a quotation: another sentence replaces a lead sentence
	// only when it is clearly more central.
	leadBonus float64
	// mmrLambda trades relevance against redundancy with sentences
	// already chosen.
	mmrLambda float64
	// minWords excludes fragments (datelines, captions, list items).
	minWords int
	// targetWords is where a summary stops growing: reference summaries
	// of news are short, and a sentence added past this length costs
	// precision more than it brings recall. Never above the word cap.
	targetWords int
	// longWords is where a sentence starts costing more than it brings,
	// longCost per extra word.
	longWords               int
	longCost                float64
	quoteCost, questionCost float64
	// pronounCost is for sentences opening with a pronoun, whose subject
	// is in another sentence; entityGain rewards names and numbers, which
	// summaries keep.
	pronounCost, entityGain float64
}

// defaultParams are fitParams on all of summaries/dev.jsonl; the test
// TestDefaultParamsAreFitted refits them, so they cannot drift from what
// the data gives.
var defaultParams = params{position: 1, centrality: 1.2, title: 0.6, posExp: 0.25, leadBonus: 0, mmrLambda: 0.6, minWords: 6, targetWords: 30, longWords: 40, longCost: 0.01, quoteCost: 0.3, questionCost: 0, pronounCost: 0.1, entityGain: 0.5}

// doc is an article's sentences with everything about them that does not
// depend on params, so fitting can try many params on one preparation.
type doc struct {
	texts     []string
	words     []int
	f         *features
	tokenized bool
	cent, tit []float64
	ent       []float64
	quote     []bool
	question  []bool
	pronoun   []bool
	fragment  []bool
}

func newDoc(title string, texts []string, tokenized bool) *doc {
	n := len(texts)
	d := &doc{
		texts: texts, words: make([]int, n), f: newFeatures(title, texts), tokenized: tokenized,
		cent: make([]float64, n), tit: make([]float64, n), ent: make([]float64, n),
		quote: make([]bool, n), question: make([]bool, n), pronoun: make([]bool, n), fragment: make([]bool, n),
	}
	for i, t := range texts {
		d.words[i] = countWords(t)
		d.cent[i] = d.f.centrality(i)
		d.tit[i] = d.f.titleSim(i)
		d.ent[i] = entityDensity(t)
		d.quote[i] = isQuote(t)
		d.question[i] = strings.HasSuffix(t, "?")
		d.pronoun[i] = startsWithPronoun(t)
		d.fragment[i] = !tokenized && isFragment(t)
	}
	return d
}

// dupSim is the word overlap (cosine) at which a sentence repeats one
// already chosen: pages repeat their lead as a pull quote or a caption.
const dupSim = 0.8

// rank returns the indices, in article order, of the sentences to keep.
func (e *Extractive) rank(title string, texts []string, tokenized bool) []int {
	return pick(newDoc(title, texts, tokenized), e.p, e.opts)
}

// pick selects greedily with maximal marginal relevance, within the
// limits of o, until the summary reaches the target length.
func pick(d *doc, p params, o Options) []int {
	n := len(d.texts)
	eligible := make([]bool, n)
	score := make([]float64, n)
	lead := 0
	for i := range n {
		eligible[i] = d.words[i] >= p.minWords && !d.fragment[i] && d.words[i] <= o.MaxWords
		pos := math.Pow(float64(i+1), -p.posExp)
		s := p.position*pos + p.centrality*d.cent[i] + p.title*d.tit[i]
		if d.words[i] > p.longWords {
			s -= p.longCost * float64(d.words[i]-p.longWords)
		}
		if d.quote[i] {
			s -= p.quoteCost
		}
		if d.question[i] {
			s -= p.questionCost
		}
		if d.pronoun[i] {
			s -= p.pronounCost
		}
		s += p.entityGain * d.ent[i]
		if eligible[i] && lead < o.MaxSentences {
			lead++
			if !d.quote[i] && !d.question[i] {
				s += p.leadBonus
			}
		}
		score[i] = s
	}
	target := min(p.targetWords, o.MaxWords)
	if target <= 0 {
		target = o.MaxWords
	}
	var chosen []int
	budget, total := o.MaxWords, 0
	for len(chosen) < o.MaxSentences && total < target {
		best, bestVal := -1, math.Inf(-1)
		for i := range n {
			if !eligible[i] || d.words[i] > budget || contains(chosen, i) {
				continue
			}
			red := 0.0
			for _, j := range chosen {
				red = max(red, d.f.sim(i, j))
			}
			if red >= dupSim {
				continue // says again what a chosen sentence says
			}
			v := p.mmrLambda*score[i] - (1-p.mmrLambda)*red
			if v > bestVal {
				best, bestVal = i, v
			}
		}
		if best < 0 {
			break
		}
		chosen = append(chosen, best)
		budget -= d.words[best]
		total += d.words[best]
	}
	sort.Ints(chosen)
	return chosen
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// isQuote reports a sentence that is mostly a direct quotation; summaries
// report what happened rather than quote it.
func isQuote(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r == '"' || r == '“' || r == '`'
}

var pronouns = set("he", "she", "it", "they", "this", "that", "these", "those", "his", "her", "their", "its", "we", "i", "but", "and", "so", "there")

func startsWithPronoun(s string) bool {
	end := strings.IndexAny(s, " ,'’")
	if end < 0 {
		return false
	}
	return pronouns[strings.ToLower(s[:end])]
}

// entityDensity is the share of words after the first that are
// capitalised, numeric or amounts.
func entityDensity(s string) float64 {
	words, hits := 0, 0
	for i := 0; i < len(s); {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			break
		}
		words++
		j := i
		for j < len(s) && strings.IndexByte("\"'(“‘", s[j]) >= 0 {
			j++
		}
		if words > 1 && j < len(s) {
			c := s[j]
			if (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '$' {
				hits++
			}
		}
		for i < len(s) && s[i] != ' ' {
			i++
		}
	}
	if words < 2 {
		return 0
	}
	return float64(hits) / float64(words-1)
}
