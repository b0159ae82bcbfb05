package topic

import (
	"fmt"
	"sort"
	"strings"
)

// pattern is one word of a term: an exact (plural-stemmed) word, or a prefix
// when the term word ended in "*".
type pattern struct {
	s      string
	prefix bool
}

func (p pattern) matches(t token) bool {
	if p.prefix {
		return strings.HasPrefix(t.raw, p.s)
	}
	return t.stem == p.s
}

type entry struct {
	pats []pattern
	ref  int
}

// matcher finds many terms in a doc in one pass: each token is looked up in
// a map of first words (exact, then each prefix length in use) and only the
// few candidate phrases starting there are checked further. No regexps, so
// cost grows with the text, not with the number of terms.
type matcher struct {
	exact      map[string][]int
	prefix     map[string][]int
	prefixLens []int
	entries    []entry
}

func newMatcher() *matcher {
	return &matcher{exact: map[string][]int{}, prefix: map[string][]int{}}
}

// minPrefix keeps prefix terms from matching half the dictionary.
const minPrefix = 3

// compileTerm turns a term such as "ceasefire talk*" or "Hizbullah" into
// patterns. It returns an error a user can act on when the term has no
// words or a misplaced wildcard.
func compileTerm(term string) ([]pattern, error) {
	var pats []pattern
	for _, word := range strings.Fields(term) {
		prefix := strings.HasSuffix(word, "*")
		w := strings.TrimSuffix(word, "*")
		if strings.Contains(w, "*") {
			return nil, fmt.Errorf("%q has a * inside a word; put * only at the end of a word, as in \"negotiat*\"", term)
		}
		toks := tokenize(w)
		if len(toks) == 0 {
			if prefix && w == "" {
				return nil, fmt.Errorf("%q has a lone *; put * right after a word, as in \"sanction*\"", term)
			}
			continue
		}
		for i, t := range toks {
			p := pattern{s: stem(t)}
			if prefix && i == len(toks)-1 {
				if len(t) < minPrefix {
					return nil, fmt.Errorf("%q: prefix %q is shorter than %d letters and would match too many words; make it longer", term, t, minPrefix)
				}
				p = pattern{s: t, prefix: true}
			}
			pats = append(pats, p)
		}
	}
	if len(pats) == 0 {
		return nil, fmt.Errorf("%q has no letters or digits; use a word or phrase", term)
	}
	return pats, nil
}

func (m *matcher) add(pats []pattern, ref int) {
	id := len(m.entries)
	m.entries = append(m.entries, entry{pats: pats, ref: ref})
	first := pats[0]
	if !first.prefix {
		m.exact[first.s] = append(m.exact[first.s], id)
		return
	}
	if _, ok := m.prefix[first.s]; !ok {
		n := len(first.s)
		i := sort.SearchInts(m.prefixLens, n)
		if i == len(m.prefixLens) || m.prefixLens[i] != n {
			m.prefixLens = append(m.prefixLens, 0)
			copy(m.prefixLens[i+1:], m.prefixLens[i:])
			m.prefixLens[i] = n
		}
	}
	m.prefix[first.s] = append(m.prefix[first.s], id)
}

// hit is one term occurrence.
type hit struct {
	ref  int
	zone zone
	pos  int // index of the first token
	n    int // tokens covered
}

// find appends every occurrence of every term in d to hits.
func (m *matcher) find(d *doc, hits []hit) []hit {
	for i, t := range d.toks {
		for _, id := range m.exact[t.stem] {
			hits = m.check(d, i, id, hits)
		}
		for _, n := range m.prefixLens {
			if n > len(t.raw) {
				break
			}
			for _, id := range m.prefix[t.raw[:n]] {
				hits = m.check(d, i, id, hits)
			}
		}
	}
	return hits
}

func (m *matcher) check(d *doc, i, id int, hits []hit) []hit {
	e := m.entries[id]
	if i+len(e.pats) > len(d.toks) {
		return hits
	}
	z := d.toks[i].zone
	for k := 1; k < len(e.pats); k++ {
		t := d.toks[i+k]
		if t.zone != z || !e.pats[k].matches(t) {
			return hits
		}
	}
	return append(hits, hit{ref: e.ref, zone: z, pos: i, n: len(e.pats)})
}
