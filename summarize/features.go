package summarize

import (
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/summarize/rouge"
)

// features holds bag-of-words vectors of an article's sentences: the set
// of stemmed content words of each, as sorted word ids. The article vector
// counts, for each word, the sentences that use it, so words the article
// keeps returning to (its subject) weigh more in centrality.
type features struct {
	vecs    [][]int32 // sorted, distinct word ids per sentence
	doc     []float64 // sentences containing each word
	docNorm float64   // squared norm of doc
	docDot  []float64 // doc · vecs[i]
	title   []int32
}

func newFeatures(title string, texts []string) *features {
	t := newTokenizer()
	f := &features{vecs: make([][]int32, len(texts)), docDot: make([]float64, len(texts))}
	for i, text := range texts {
		v := t.ids(text, nil, true)
		slices.Sort(v)
		f.vecs[i] = slices.Compact(v)
	}
	f.doc = make([]float64, t.n)
	for _, v := range f.vecs {
		for _, id := range v {
			f.doc[id]++
		}
	}
	for _, c := range f.doc {
		f.docNorm += c * c
	}
	for i, v := range f.vecs {
		for _, id := range v {
			f.docDot[i] += f.doc[id]
		}
	}
	if title != "" {
		f.title = t.ids(title, nil, false)
		slices.Sort(f.title)
		f.title = slices.Compact(f.title)
	}
	return f
}

// tokenizer maps an article's content words to ids: lowercased, stemmed,
// stopwords dropped. Surface forms are memoised per article, so each
// distinct word is lowercased, looked up and stemmed once.
type tokenizer struct {
	surface map[string]int32 // lowercased word → id, -1 for stopwords
	stemID  map[string]int32
	n       int32
	buf     []byte
}

func newTokenizer() *tokenizer {
	return &tokenizer{surface: make(map[string]int32, 256), stemID: make(map[string]int32, 256)}
}

// ids appends to dst the ids of the content words of s. With add false,
// words not seen before are skipped rather than given new ids.
func (t *tokenizer) ids(s string, dst []int32, add bool) []int32 {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			i += size
			continue
		}
		t.buf = t.buf[:0]
		j := i
		apostrophe := false
		for j < len(s) {
			c := s[j]
			if c < utf8.RuneSelf {
				switch {
				case c >= 'A' && c <= 'Z':
					c += 'a' - 'A'
				case (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'):
				case c == '\'':
					apostrophe = true
				default:
					goto end
				}
				if !apostrophe {
					t.buf = append(t.buf, c)
				}
				j++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[j:])
			if r == '’' {
				apostrophe = true
			} else if !isWordRune(r) {
				break
			} else if !apostrophe {
				t.buf = utf8.AppendRune(t.buf, unicode.ToLower(r))
			}
			j += size
		}
	end:
		i = j
		if len(t.buf) < 2 {
			continue
		}
		id, ok := t.surface[string(t.buf)]
		if !ok {
			w := string(t.buf)
			id = -1
			if !stopwords[w] {
				st := stem(w)
				var seen bool
				if id, seen = t.stemID[st]; !seen {
					if !add {
						continue
					}
					id = t.n
					t.n++
					t.stemID[st] = id
				}
			}
			t.surface[w] = id
		}
		if id >= 0 {
			dst = append(dst, id)
		}
	}
	return dst
}

// centrality is the cosine between sentence i and the rest of the article
// (the article vector minus the sentence's own).
func (f *features) centrality(i int) float64 {
	k := float64(len(f.vecs[i])) // binary vector: squared norm = size
	if k == 0 {
		return 0
	}
	dot := f.docDot[i] - k
	rest := f.docNorm - 2*f.docDot[i] + k
	if rest <= 0 || dot <= 0 {
		return 0
	}
	return dot / (math.Sqrt(k) * math.Sqrt(rest))
}

func (f *features) titleSim(i int) float64 {
	return cosine(f.title, f.vecs[i])
}

// sim is the cosine between sentences i and j.
func (f *features) sim(i, j int) float64 {
	return cosine(f.vecs[i], f.vecs[j])
}

// cosine of two binary vectors given as sorted id sets.
func cosine(a, b []int32) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	common := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			common++
			i++
			j++
		}
	}
	return float64(common) / math.Sqrt(float64(len(a))*float64(len(b)))
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// stems memoises stems: news vocabulary repeats across articles, and
// stemming dominated feature extraction. It stops growing at stemCacheMax
// entries so a long-running process stays bounded.
var stems = struct {
	sync.RWMutex
	m map[string]string
}{m: map[string]string{}}

const stemCacheMax = 200_000

func stem(w string) string {
	if len(w) <= 3 || !isASCII(w) {
		return w
	}
	stems.RLock()
	s, ok := stems.m[w]
	stems.RUnlock()
	if ok {
		return s
	}
	s = rouge.Stem(w)
	stems.Lock()
	if len(stems.m) < stemCacheMax {
		stems.m[strings.Clone(w)] = s
	}
	stems.Unlock()
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

var stopwords = set("a", "about", "above", "after", "again", "against", "all", "also", "am", "an",
	"and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between",
	"both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each",
	"even", "ever", "few", "for", "from", "further", "get", "got", "had", "has", "have", "having",
	"he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however", "i", "if",
	"in", "into", "is", "it", "its", "itself", "just", "last", "like", "made", "make", "many", "may",
	"me", "might", "more", "most", "much", "must", "my", "myself", "new", "no", "nor", "not", "now",
	"of", "off", "on", "once", "one", "only", "or", "other", "our", "ours", "ourselves", "out",
	"over", "own", "said", "same", "say", "says", "she", "should", "since", "so", "some", "still",
	"such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there",
	"these", "they", "this", "those", "through", "to", "told", "too", "two", "under", "until",
	"up", "us", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who",
	"whom", "why", "will", "with", "would", "year", "years", "yet", "you", "your", "yours",
	"yourself", "yourselves", "cnn", "mr", "mrs", "ms", "according", "week")
