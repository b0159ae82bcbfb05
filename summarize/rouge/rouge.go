// Package rouge computes ROUGE-1, ROUGE-2 and ROUGE-L the way Google's
// rouge-score Python package does (rouge_scorer.RougeScorer), so numbers
// printed by briefbot can be compared with published ones: text is
// lowercased, every run of characters outside [a-z0-9] becomes a space, and
// with stemming on, tokens longer than three characters go through NLTK's
// Porter stemmer. ROUGE-L is the sentence-level LCS score ("rougeL"), not
// the summary-level "rougeLsum".
package rouge

import (
	"strings"
	"unicode"
)

// Score is one ROUGE measure between a target and a prediction.
type Score struct {
	Precision, Recall, F1 float64
}

// Scores holds the three measures briefbot reports.
type Scores struct {
	R1, R2, RL Score
}

// Scorer scores predictions against targets. The zero value does not stem;
// rouge-score's use_stemmer=True corresponds to Scorer{Stem: true}.
type Scorer struct {
	Stem bool
}

// Score returns ROUGE-1, ROUGE-2 and ROUGE-L between target (the reference)
// and prediction (the system output).
func (s Scorer) Score(target, prediction string) Scores {
	t := Tokenize(target, s.Stem)
	p := Tokenize(prediction, s.Stem)
	return Scores{R1: NGram(t, p, 1), R2: NGram(t, p, 2), RL: LCS(t, p)}
}

// Tokenize splits text into rouge-score tokens, stemming words longer than
// three characters when stem is true.
func Tokenize(text string, stem bool) []string {
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range text {
		switch {
		case r == '\u0130':
			// Python lowercases İ to "i" plus a combining dot, which the
			// tokenizer then treats as a separator.
			b.WriteString("i ")
			continue
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case r >= 0x80:
			r = unicode.ToLower(r) // e.g. the Kelvin sign becomes "k"
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte(' ')
		}
	}
	tokens := strings.Fields(b.String())
	if stem {
		for i, tok := range tokens {
			if len(tok) > 3 {
				tokens[i] = Stem(tok)
			}
		}
	}
	return tokens
}

// NGram is ROUGE-N over token lists: clipped n-gram overlap.
func NGram(target, prediction []string, n int) Score {
	tc := ngrams(target, n)
	pc := ngrams(prediction, n)
	overlap := 0
	for g, c := range tc {
		overlap += min(c, pc[g])
	}
	tTotal, pTotal := max(len(target)-n+1, 0), max(len(prediction)-n+1, 0)
	p := float64(overlap) / float64(max(pTotal, 1))
	r := float64(overlap) / float64(max(tTotal, 1))
	return Score{Precision: p, Recall: r, F1: fmeasure(p, r)}
}

func ngrams(tokens []string, n int) map[string]int {
	m := make(map[string]int, len(tokens))
	for i := 0; i+n <= len(tokens); i++ {
		var g string
		if n == 1 {
			g = tokens[i]
		} else {
			g = strings.Join(tokens[i:i+n], " ")
		}
		m[g]++
	}
	return m
}

// LCS is ROUGE-L: the longest common subsequence of the two token lists.
func LCS(target, prediction []string) Score {
	if len(target) == 0 || len(prediction) == 0 {
		return Score{}
	}
	l := lcsLen(target, prediction)
	p := float64(l) / float64(len(prediction))
	r := float64(l) / float64(len(target))
	return Score{Precision: p, Recall: r, F1: fmeasure(p, r)}
}

func lcsLen(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				cur[j] = prev[j-1] + 1
			} else {
				cur[j] = max(prev[j], cur[j-1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func fmeasure(p, r float64) float64 {
	if p+r > 0 {
		return 2 * p * r / (p + r)
	}
	return 0
}
