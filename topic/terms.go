package topic

import (
	"math"
	"sort"
	"strings"
)

type termKind uint8

const (
	kindInclude termKind = iota
	kindRequire
	kindExclude
	kindSub
)

type termInfo struct {
	kind  termKind
	label string
	sub   int // subtopic index for kindSub
}

// termScorer scores user-defined topics from their include, require and
// exclude terms.
type termScorer struct {
	m        *matcher
	terms    []termInfo
	subNames []string
}

// userZoneWeight is how much one mention counts by where it stands: a
// headline mention alone makes an item relevant at the default threshold, a
// description mention alone does not, two do.
var userZoneWeight = [numZones]float64{zoneTitle: 1, zoneLead: 0.6, zoneBody: 0.3}

// userK sets the score curve 1-exp(-k·evidence) so that one headline
// mention scores 0.6.
var userK = -math.Log(1 - 0.6)

func (ts *termScorer) addTerm(kind termKind, label string, pats []pattern) {
	ref := len(ts.terms)
	ts.terms = append(ts.terms, termInfo{kind: kind, label: label})
	for _, v := range spellingVariants(pats) {
		ts.m.add(v, ref)
	}
}

func (ts *termScorer) addSubtopicTerm(sub int, pats []pattern) {
	ref := len(ts.terms)
	ts.terms = append(ts.terms, termInfo{kind: kindSub, sub: sub})
	for _, v := range spellingVariants(pats) {
		ts.m.add(v, ref)
	}
}

type termHit struct {
	best  zone
	count int
}

func (ts *termScorer) score(d *doc) (float64, []string, []string) {
	hits := ts.m.find(d, nil)
	found := make(map[int]*termHit, len(hits))
	for _, h := range hits {
		th := found[h.ref]
		if th == nil {
			found[h.ref] = &termHit{best: h.zone, count: 1}
			continue
		}
		th.count++
		if h.zone < th.best {
			th.best = h.zone
		}
	}
	refs := make([]int, 0, len(found))
	for ref := range found {
		refs = append(refs, ref)
	}
	sort.Ints(refs) // definition order keeps reasons stable

	var (
		reasons     []string
		excludeBody []string
		hasRequire  bool
		hasInclude  bool
		requireSeen bool
	)
	for _, ti := range ts.terms {
		switch ti.kind {
		case kindRequire:
			hasRequire = true
		case kindInclude:
			hasInclude = true
		}
	}
	for _, ref := range refs {
		ti, th := ts.terms[ref], found[ref]
		switch ti.kind {
		case kindExclude:
			if th.best < zoneBody {
				return 0, nil, []string{"excluded: " + ti.label}
			}
			excludeBody = append(excludeBody, ti.label)
		case kindRequire:
			requireSeen = true
		}
	}
	if hasRequire && !requireSeen {
		var want []string
		for _, ti := range ts.terms {
			if ti.kind == kindRequire {
				want = append(want, ti.label)
			}
		}
		if len(want) > 4 {
			want = append(want[:4], "…")
		}
		return 0, nil, []string{"missing required: " + strings.Join(want, ", ")}
	}

	type contrib struct {
		label string
		w     float64
	}
	var cs []contrib
	evidence := 0.0
	evidenceKind := kindInclude
	if !hasInclude {
		evidenceKind = kindRequire
	}
	var subs []bool
	for _, ref := range refs {
		ti, th := ts.terms[ref], found[ref]
		switch {
		case ti.kind == kindSub:
			if subs == nil {
				subs = make([]bool, len(ts.subNames))
			}
			subs[ti.sub] = true
		case ti.kind == kindRequire && evidenceKind != kindRequire:
			cs = append(cs, contrib{"require: " + ti.label, 0})
		case ti.kind == evidenceKind:
			// Repeated mentions in a long text add a little, up to three.
			w := userZoneWeight[th.best] + 0.1*float64(min(th.count-1, 3))
			evidence += w
			cs = append(cs, contrib{string(map[termKind]string{kindInclude: "include: ", kindRequire: "require: "}[ti.kind]) + ti.label, w})
		}
	}
	score := 1 - math.Exp(-userK*evidence)
	if len(excludeBody) > 0 {
		// Full text wanders; a vetoed word deep in the body halves the score
		// rather than discarding the item.
		score /= 2
		cs = append(cs, contrib{"excluded (in body, score halved): " + strings.Join(excludeBody, ", "), -1})
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].w > cs[j].w })
	for _, c := range cs {
		reasons = append(reasons, c.label)
	}
	var subtopics []string
	for i, ok := range subs {
		if ok {
			subtopics = append(subtopics, ts.subNames[i])
		}
	}
	return score, subtopics, reasons
}

// spellingVariants expands a compiled term with the known variant spellings
// of any name in it, so a user who writes "Hezbollah" also matches
// "Hizbullah". A whole-term match takes the whole variant group; otherwise
// single words are swapped for their single-word variants.
func spellingVariants(pats []pattern) [][]pattern {
	if g, ok := variantIndex[patternKey(pats)]; ok {
		return variantGroups[g]
	}
	out := [][]pattern{pats}
	for i, p := range pats {
		if p.prefix {
			continue
		}
		g, ok := variantIndex[patternKey([]pattern{p})]
		if !ok {
			continue
		}
		n := len(out)
		for _, alt := range variantGroups[g] {
			if len(alt) != 1 || alt[0] == p {
				continue
			}
			for _, base := range out[:n] {
				if len(out) >= maxVariants {
					return out
				}
				v := append([]pattern(nil), base...)
				v[i] = alt[0]
				out = append(out, v)
			}
		}
	}
	return out
}

// maxVariants bounds the expansion of a term full of variant-rich names.
const maxVariants = 32
