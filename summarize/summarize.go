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
// does in news writing; centrality and title overlap decide among the
// early sentences.
type params struct {
	position, centrality, title float64
	// posExp shapes the position prior 1/(i+1)^posExp.
	posExp float64
	// mmrLambda trades relevance against redundancy with sentences
	// already chosen.
	mmrLambda float64
	// minWords excludes fragments (datelines, captions, list items).
	minWords int
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

var defaultParams = params{
	position: 1.0, centrality: 1.2, title: 0.6, posExp: 0.5,
	mmrLambda: 0.6, minWords: 6, longWords: 40, longCost: 0.01,
	quoteCost: 0.15, questionCost: 0.2,
	pronounCost: 0.1, entityGain: 0.5,
}

// rank returns the indices, in article order, of the sentences to keep.
func (e *Extractive) rank(title string, texts []string, tokenized bool) []int {
	n := len(texts)
	p := e.p
	f := newFeatures(title, texts)
	words := make([]int, n)
	score := make([]float64, n)
	for i, t := range texts {
		words[i] = countWords(t)
		pos := math.Pow(float64(i+1), -p.posExp)
		s := p.position*pos + p.centrality*f.centrality(i) + p.title*f.titleSim(i)
		if words[i] > p.longWords {
			s -= p.longCost * float64(words[i]-p.longWords)
		}
		if isQuote(t) {
			s -= p.quoteCost
		}
		if strings.HasSuffix(t, "?") {
			s -= p.questionCost
		}
		if startsWithPronoun(t) {
			s -= p.pronounCost
		}
		s += p.entityGain * entityDensity(t)
		score[i] = s
	}
	eligible := func(i int) bool {
		return words[i] >= p.minWords && (tokenized || !isFragment(texts[i])) && words[i] <= e.opts.MaxWords
	}
	var chosen []int
	budget := e.opts.MaxWords
	for len(chosen) < e.opts.MaxSentences {
		best, bestVal := -1, math.Inf(-1)
		for i := range n {
			if !eligible(i) || words[i] > budget || contains(chosen, i) {
				continue
			}
			red := 0.0
			for _, j := range chosen {
				red = max(red, f.sim(i, j))
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
		budget -= words[best]
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
