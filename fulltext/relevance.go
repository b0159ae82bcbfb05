package fulltext

import (
	"math"
	"sort"
	"strings"
)

// CloseMargin is how near the threshold a teaser's relevance score must be
// for the article's lead to decide instead: the median distance from the
// threshold of the built-in topic's wrong teaser decisions on the labelled
// development headlines (topic/dev.jsonl), so about half the teaser's
// mistakes fall in the band. FitCloseMargin recomputes it; its test checks
// this value and reports the cross-validated (leave-one-news-day-out) share
// of held-out mistakes and of all items inside the band.
const CloseMargin = 0.12

// IsClose reports whether score leaves relevance a close call.
func IsClose(score, threshold float64) bool {
	return math.Abs(score-threshold) < CloseMargin
}

// Scored is one labelled teaser decision: its score against the topic's
// threshold, and whether the decision was right.
type Scored struct {
	Score, Threshold float64
	Right            bool
}

// FitCloseMargin is the median distance from the threshold of the wrong
// decisions, rounded up to a hundredth; zero when there are none.
func FitCloseMargin(decisions []Scored) float64 {
	var d []float64
	for _, s := range decisions {
		if !s.Right {
			d = append(d, math.Abs(s.Score-s.Threshold))
		}
	}
	if len(d) == 0 {
		return 0
	}
	sort.Float64s(d)
	m := d[(len(d)-1)/2]
	return math.Ceil(m*100-1e-9) / 100
}

// leadWords bounds the article text relevance reads: the lead paragraphs
// carry what the story is about; the rest adds background that mentions
// everything (a Gaza story's last paragraph recalls Iran).
const leadWords = 120

// Lead returns the article's first paragraphs, whole, up to about
// leadWords words (at least the first paragraph).
func Lead(text string) string {
	var out []string
	n := 0
	for _, p := range strings.Split(text, "\n\n") {
		w := len(strings.Fields(p))
		if w == 0 {
			continue
		}
		if n > 0 && n+w > leadWords {
			break
		}
		out = append(out, p)
		n += w
	}
	return strings.Join(out, "\n\n")
}
