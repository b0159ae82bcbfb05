package story

import "math"

// Helpers for writing a story's briefing from its items. Sentence
// splitting and ranking belong to package summarize; these only say which
// item stands for the story and how much the outlets agree on a sentence.

// BestItem returns the index of the item that best stands for the story:
// a report whose main subject is the happening (KindOf), preferred over
// explainers, analysis, live pages, galleries and reactions; among those,
// the one whose headline and lead are most like the other items' (so a
// lone outlet's angle does not become the story's headline), the earliest
// among equals. It returns -1 for no items.
func BestItem(items []ClusterItem) int {
	if len(items) == 0 {
		return -1
	}
	vecs := make([]map[string]float64, len(items))
	reports := false
	kinds := make([]Kind, len(items))
	for i, it := range items {
		f := extract(it.Title, it.Text)
		vecs[i], kinds[i] = unitVector(f.terms), f.kind
		reports = reports || f.kind == KindReport
	}
	best, bestScore := -1, -1.0
	for i := range items {
		if reports && kinds[i] != KindReport {
			continue
		}
		var score float64
		for j := range items {
			if i != j {
				score += dot(vecs[i], vecs[j])
			}
		}
		// Exact ties go to the earlier item: the first report usually
		// carries the plainest account.
		if best < 0 || score > bestScore+1e-12 ||
			(math.Abs(score-bestScore) <= 1e-12 && items[i].Published.Before(items[best].Published)) {
			best, bestScore = i, score
		}
	}
	return best
}

// AgreementScores says, for each sentence, how many of texts report it:
// the sum over texts of the share of the sentence's content words that the
// text contains. Pass the story's item texts (each outlet's headline and
// lead or full text); a sentence then scores about 1 from its own item
// and up to 1 more for each other outlet that says the same, so sentences
// several outlets agree on rank higher. Sentences with no content words
// score 0.
func AgreementScores(sentences, texts []string) []float64 {
	docs := make([]map[string]bool, len(texts))
	for i, t := range texts {
		docs[i] = keySet(t)
	}
	out := make([]float64, len(sentences))
	for i, s := range sentences {
		keys := keySet(s)
		if len(keys) == 0 {
			continue
		}
		for _, d := range docs {
			n := 0
			for k := range keys {
				if d[k] {
					n++
				}
			}
			out[i] += float64(n) / float64(len(keys))
		}
	}
	return out
}

// keySet is the set of comparison keys of a text's content words.
func keySet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range words(s) {
		if k := termKey(w.norm); k != "" {
			m[k] = true
		}
	}
	return m
}

func unitVector(terms []termWeight) map[string]float64 {
	v := make(map[string]float64, len(terms))
	var norm float64
	for _, t := range terms {
		norm += t.w * t.w
	}
	if norm == 0 {
		return v
	}
	norm = math.Sqrt(norm)
	for _, t := range terms {
		v[t.key] = t.w / norm
	}
	return v
}

func dot(a, b map[string]float64) float64 {
	if len(b) < len(a) {
		a, b = b, a
	}
	var s float64
	for k, x := range a {
		s += x * b[k]
	}
	return s
}
