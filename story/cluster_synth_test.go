package story

import (
	"math/rand/v2"
	"strings"
	"time"
)

// synth makes a stream of made-up reports: events, each with its own
// words and names, reported by a few outlets in their own wording over a
// few hours, amid a Zipf-distributed background vocabulary. It feeds the
// restart test, the benchmark and the fuzz seeds without real data.
type synth struct {
	rng    *rand.Rand
	vocab  []string
	zipf   *rand.Zipf
	names  []string
	events []synthEvent
	// eventOf holds the event of each report stream has made, in order.
	eventOf []int
}

type synthEvent struct {
	words []string
	names []string
	start time.Time
}

var syllables = strings.Fields("ka lo mi ra tu ne si vo da pe gu ri ho za ma te bi lu no fa")

func newSynth(seed uint64, vocabSize int) *synth {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	s := &synth{rng: rng}
	seen := map[string]bool{}
	// word draws unused words of at least n syllables, growing longer as
	// the short ones run out.
	word := func(n int) string {
		for tries := 0; ; tries++ {
			var b strings.Builder
			for range n + tries/50 {
				b.WriteString(syllables[rng.IntN(len(syllables))])
			}
			w := b.String()
			if !seen[w] && termKey(w) == w {
				seen[w] = true
				return w
			}
		}
	}
	for range vocabSize {
		s.vocab = append(s.vocab, word(2+rng.IntN(2)))
	}
	for range vocabSize / 10 {
		w := word(3)
		s.names = append(s.names, strings.ToUpper(w[:1])+w[1:])
	}
	s.zipf = rand.NewZipf(rng, 1.1, 2, uint64(len(s.vocab)-1))
	return s
}

// event starts a new event at start: a few specific words and two names.
func (s *synth) event(start time.Time) int {
	e := synthEvent{start: start}
	for range 6 {
		e.words = append(e.words, s.vocab[s.rng.IntN(len(s.vocab))])
	}
	for range 2 {
		e.names = append(e.names, s.names[s.rng.IntN(len(s.names))])
	}
	s.events = append(s.events, e)
	return len(s.events) - 1
}

// report is one outlet's report of event ev at time at: the event's names,
// most of its words, and background words.
func (s *synth) report(ev int, at time.Time) ClusterItem {
	e := s.events[ev]
	sentence := func(n int) string {
		ws := []string{s.vocab[s.zipf.Uint64()], e.names[s.rng.IntN(len(e.names))]}
		for len(ws) < n {
			if s.rng.IntN(10) < 5 {
				ws = append(ws, e.words[s.rng.IntN(len(e.words))])
			} else {
				ws = append(ws, s.vocab[s.zipf.Uint64()])
			}
		}
		// The first word stays a lowercase background word, so the name is
		// mid-sentence, where its capital marks it as a name.
		s.rng.Shuffle(len(ws)-1, func(i, j int) { ws[i+1], ws[j+1] = ws[j+1], ws[i+1] })
		return strings.Join(ws, " ")
	}
	return ClusterItem{
		Outlet:    "outlet" + string(rune('A'+s.rng.IntN(8))),
		Title:     sentence(8),
		Text:      sentence(12) + ". " + sentence(10) + ".",
		Published: at,
	}
}

// stream returns n reports over the given span: each report is of a new
// event or, more often, of one of the last few events.
func (s *synth) stream(n int, start time.Time, span time.Duration) []ClusterItem {
	out := make([]ClusterItem, 0, n)
	step := span / time.Duration(n)
	var recent []int
	for i := range n {
		at := start.Add(time.Duration(i) * step)
		var ev int
		if len(recent) == 0 || s.rng.IntN(5) < 2 {
			ev = s.event(at)
			recent = append(recent, ev)
			if len(recent) > 6 {
				recent = recent[1:]
			}
		} else {
			ev = recent[s.rng.IntN(len(recent))]
		}
		it := s.report(ev, at)
		it.ID = int64(i + 1)
		s.eventOf = append(s.eventOf, ev)
		out = append(out, it)
	}
	return out
}
