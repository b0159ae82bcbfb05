package summarize

// triggerIndex finds in one pass which rules have a trigger substring in a
// sentence (Aho–Corasick over bytes, ASCII case-insensitive). Scanning
// every rule's triggers with strings.Contains was most of the cleaner's
// cost, and the cleaner runs on every sentence of every article.
type triggerIndex struct {
	class  [256]uint8
	nclass int
	delta  []int32  // state*nclass+class → next state
	out    []uint64 // per state: bit r set if rule r's trigger ends here
}

func newTriggerIndex(triggers [][]string) *triggerIndex {
	t := &triggerIndex{nclass: 1} // class 0: bytes in no trigger
	lower := func(b byte) byte {
		if b >= 'A' && b <= 'Z' {
			return b + 'a' - 'A'
		}
		return b
	}
	for _, ts := range triggers {
		for _, p := range ts {
			for i := 0; i < len(p); i++ {
				b := lower(p[i])
				if t.class[b] == 0 {
					t.class[b] = uint8(t.nclass)
					t.nclass++
				}
			}
		}
	}
	for b := 'A'; b <= 'Z'; b++ {
		t.class[b] = t.class[b+'a'-'A']
	}
	// Build the trie with -1 for missing edges.
	newState := func() int32 {
		for range t.nclass {
			t.delta = append(t.delta, -1)
		}
		t.out = append(t.out, 0)
		return int32(len(t.out) - 1)
	}
	newState() // root
	for r, ts := range triggers {
		for _, p := range ts {
			s := int32(0)
			for i := 0; i < len(p); i++ {
				c := int32(t.class[lower(p[i])])
				next := t.delta[s*int32(t.nclass)+c]
				if next < 0 {
					next = newState()
					t.delta[s*int32(t.nclass)+c] = next
				}
				s = next
			}
			t.out[s] |= 1 << r
		}
	}
	// Breadth-first: resolve failure links into a complete automaton.
	fail := make([]int32, len(t.out))
	var queue []int32
	for c := range t.nclass {
		if next := t.delta[c]; next > 0 {
			queue = append(queue, next)
		} else {
			t.delta[c] = 0
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		t.out[s] |= t.out[fail[s]]
		for c := range t.nclass {
			i := s*int32(t.nclass) + int32(c)
			if next := t.delta[i]; next >= 0 {
				fail[next] = t.delta[fail[s]*int32(t.nclass)+int32(c)]
				queue = append(queue, next)
			} else {
				t.delta[i] = t.delta[fail[s]*int32(t.nclass)+int32(c)]
			}
		}
	}
	return t
}

// match returns the set of rules with a trigger in s.
func (t *triggerIndex) match(s string) uint64 { return t.scan(s, nil) }

// prefixMasks returns, for each byte offset i of s, the set of rules with
// a trigger wholly inside s[:i]; masks[len(s)] is match(s).
func (t *triggerIndex) prefixMasks(s string) []uint64 {
	masks := make([]uint64, len(s)+1)
	t.scan(s, masks[1:])
	return masks
}

// scan runs the automaton over s and returns the rules matched; with
// masks non-nil, masks[i] gets the rules matched within s[:i+1].
func (t *triggerIndex) scan(s string, masks []uint64) uint64 {
	var mask uint64
	state := int32(0)
	n := int32(t.nclass)
	for i := 0; i < len(s); i++ {
		state = t.delta[state*n+int32(t.class[s[i]])]
		mask |= t.out[state]
		if masks != nil {
			masks[i] = mask
		}
	}
	return mask
}
