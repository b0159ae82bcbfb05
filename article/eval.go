package article

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"unicode"

	"github.com/briefbot/briefbot/internal/evaldata"
)

// The ScrapingHub article-extraction benchmark's metric: both texts are
// split into word tokens, counted as 4-token shingles; precision and recall
// are per page and averaged, F1 is their harmonic mean.

const shingleSize = 4

// tokens splits text into runs of letters, digits and underscores, as the
// benchmark's \w+ does.
func tokens(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != '_' && !unicode.Is(unicode.Mn, r)
	})
}

// shingles counts the text's 4-token shingles; a text of fewer tokens is
// one shingle of all of them (none when empty).
func shingles(text string) map[string]int {
	toks := tokens(text)
	out := map[string]int{}
	if len(toks) == 0 {
		return out
	}
	for i := 0; i < max(1, len(toks)-shingleSize+1); i++ {
		out[strings.Join(toks[i:min(len(toks), i+shingleSize)], "\x00")]++
	}
	return out
}

// PageScore is the benchmark's precision and recall of pred against truth
// for one page; exact says whether their token sequences are equal.
func PageScore(pred, truth string) (precision, recall float64, exact bool) {
	p, t := shingles(pred), shingles(truth)
	var tp, fp, fn int
	for k, n := range p {
		m := t[k]
		tp += min(n, m)
		fp += max(0, n-m)
	}
	for k, m := range t {
		fn += max(0, m-p[k])
	}
	exact = slices.Equal(tokens(pred), tokens(truth))
	switch {
	case fp == 0 && fn == 0:
		return 1, 1, exact
	case tp == 0:
		return 0, 0, exact
	}
	return float64(tp) / float64(tp+fp), float64(tp) / float64(tp+fn), exact
}

// Page is one benchmark page: its saved HTML and hand-checked body.
type Page struct {
	ID, URL string
	HTML    []byte
	Body    string
}

// Host is the page's host name, the group for leave-one-site-out folds.
func (p Page) Host() string {
	u, err := url.Parse(p.URL)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}

// LoadBenchmark reads dir/ground-truth.json and dir/html/<id>.html.gz.
func LoadBenchmark(dir string) ([]Page, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		return nil, fmt.Errorf("benchmark ground truth: %w", err)
	}
	var truth map[string]struct {
		ArticleBody string `json:"articleBody"`
		URL         string `json:"url"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		return nil, fmt.Errorf("benchmark ground truth %s: %w", filepath.Join(dir, "ground-truth.json"), err)
	}
	ids := make([]string, 0, len(truth))
	for id := range truth {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	pages := make([]Page, 0, len(ids))
	for _, id := range ids {
		b, err := readGzip(filepath.Join(dir, "html", id+".html.gz"))
		if err != nil {
			return nil, fmt.Errorf("benchmark page %s: %w", id, err)
		}
		pages = append(pages, Page{ID: id, URL: truth[id].URL, HTML: b, Body: truth[id].ArticleBody})
	}
	if len(pages) == 0 {
		return nil, fmt.Errorf("benchmark %s holds no pages", dir)
	}
	return pages, nil
}

func readGzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// Score is an extractor's result on a set of pages.
type Score struct {
	Extractor                    string
	Pages                        int
	Precision, Recall, F1, Exact float64
	// Failed counts pages where the extractor returned an error (scored as empty).
	Failed int
}

// Extracted runs e on every page, on as many goroutines as there are
// CPUs; an error counts as an empty extraction.
func Extracted(e Extractor, pages []Page) (texts []string, failed int) {
	texts = make([]string, len(pages))
	var (
		next, nfailed atomic.Int64
		wg            sync.WaitGroup
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(pages); i = int(next.Add(1) - 1) {
				a, err := extractPage(e, pages[i])
				if err != nil {
					nfailed.Add(1)
					continue
				}
				texts[i] = a.Text
			}
		})
	}
	wg.Wait()
	return texts, int(nfailed.Load())
}

func extractPage(e Extractor, p Page) (Article, error) {
	// The benchmark's pages are saved as UTF-8, as its evaluate.py reads them.
	doc, err := Parse(p.HTML, "text/html; charset=utf-8")
	if err != nil {
		return Article{}, err
	}
	u, _ := url.Parse(p.URL)
	return e.Extract(doc, u)
}

// ScoreTexts scores predicted texts against the pages' bodies, on the pages
// whose indices are in idx (all when idx is nil).
func ScoreTexts(name string, texts []string, pages []Page, idx []int) Score {
	if idx == nil {
		idx = make([]int, len(pages))
		for i := range idx {
			idx[i] = i
		}
	}
	s := Score{Extractor: name, Pages: len(idx)}
	// As the benchmark's evaluate.py: precision is averaged over pages
	// where something was predicted, recall over pages with a body.
	var np, nr int
	for _, i := range idx {
		p, r, ex := PageScore(texts[i], pages[i].Body)
		if len(shingles(texts[i])) > 0 {
			s.Precision += p
			np++
		}
		if len(shingles(pages[i].Body)) > 0 {
			s.Recall += r
			nr++
		}
		if ex {
			s.Exact++
		}
	}
	if np > 0 {
		s.Precision /= float64(np)
	}
	if nr > 0 {
		s.Recall /= float64(nr)
	}
	if n := len(idx); n > 0 {
		s.Exact /= float64(n)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	return s
}

// Candidates are the extractors `briefbot eval extraction` measures, the
// baseline (today's readability) first and Default among them.
func Candidates() []Extractor {
	return []Extractor{
		Readability{},
		Cleaned{Extractor: Readability{}},
		Trafilatura{NoFallback: true},
		Trafilatura{},
		Cleaned{Extractor: Trafilatura{}, NoSummarizeClean: true},
		Cleaned{Extractor: Trafilatura{}, KeepHeadline: true},
		Cleaned{Extractor: Trafilatura{}},
		Cleaned{Extractor: Trafilatura{NoFallback: true}},
	}
}

// Report is one run of the benchmark over several extractors.
type Report struct {
	Pages  int
	Scores []Score // one per extractor, in the order given
	// Default is the score of the Default extractor.
	Default Score
	// HeldOut scores the choice of extractor as briefbot makes it, on
	// sites it did not see: for each site held out, a candidate replaces
	// Default only if it is significantly better on the other sites (see
	// choose); pooled over all sites. This is the figure --check judges.
	HeldOut Score
	// BestF1 scores the plainer choice, for comparison: for each site held
	// out, whichever extractor has the best F1 on the other sites.
	BestF1 Score
	// Chosen and ChosenBestF1 count how often each extractor was chosen
	// across the folds by each rule.
	Chosen, ChosenBestF1 map[string]int
}

// zSignificant is how many standard errors a candidate's mean gain in page
// F1 over Default, paired by site, must exceed to replace it: the usual
// two. Sites are the unit (the folds hold out sites; a site's pages share
// a template). On the benchmark any value from 1 to 3 keeps the default
// in every fold; 0.5 does not (README).
const zSignificant = 2.0

// Evaluate runs every extractor on every page, in one run so the figures
// compare. The default extractor must be among extractors.
func Evaluate(pages []Page, extractors []Extractor, group func(Page) string) (Report, error) {
	rep := Report{Pages: len(pages), Chosen: map[string]int{}, ChosenBestF1: map[string]int{}}
	texts := make([][]string, len(extractors))
	pageF1 := make([][]float64, len(extractors))
	def := -1
	for i, e := range extractors {
		var failed int
		texts[i], failed = Extracted(e, pages)
		s := ScoreTexts(e.Name(), texts[i], pages, nil)
		s.Failed = failed
		rep.Scores = append(rep.Scores, s)
		pageF1[i] = make([]float64, len(pages))
		for j, p := range pages {
			pr, rc, _ := PageScore(texts[i][j], p.Body)
			if pr+rc > 0 {
				pageF1[i][j] = 2 * pr * rc / (pr + rc)
			}
		}
		if e.Name() == Default.Name() {
			def = i
		}
	}
	if def < 0 {
		return rep, fmt.Errorf("the default extractor %q is not among those evaluated", Default.Name())
	}
	rep.Default = rep.Scores[def]

	sites := make([]string, len(pages))
	for i, p := range pages {
		sites[i] = group(p)
	}
	folds := evaldata.GroupFolds(len(pages), func(i int) string { return sites[i] })
	held := make([]string, len(pages))
	heldBest := make([]string, len(pages))
	for _, f := range folds {
		train := make([]Score, len(extractors))
		best := 0
		for i, e := range extractors {
			if train[i] = ScoreTexts(e.Name(), texts[i], pages, f.Train); train[i].F1 > train[best].F1 {
				best = i
			}
		}
		chosen := choose(def, train, pageF1, sites, f.Train)
		rep.Chosen[extractors[chosen].Name()]++
		rep.ChosenBestF1[extractors[best].Name()]++
		for _, j := range f.Test {
			held[j] = texts[chosen][j]
			heldBest[j] = texts[best][j]
		}
	}
	rep.HeldOut = ScoreTexts("chosen per held-out site", held, pages, nil)
	rep.BestF1 = ScoreTexts("best F1 per held-out site", heldBest, pages, nil)
	return rep, nil
}

// choose picks the extractor for the pages idx: the default (def) unless
// some candidates' mean page F1, paired with the default's site by site,
// is higher by more than zSignificant standard errors; then the one of
// those with the best F1 on idx. On this benchmark most sites have one
// page and the top candidates trade wins on a few pages by large
// margins, so the plain best F1 flips with whichever site is held out:
// what carries over to unseen sites is a difference the sites agree on.
func choose(def int, train []Score, pageF1 [][]float64, sites []string, idx []int) int {
	chosen := def
	for c := range train {
		if c == def || pairedZ(pageF1[c], pageF1[def], sites, idx) <= zSignificant {
			continue
		}
		if chosen == def || train[c].F1 > train[chosen].F1 {
			chosen = c
		}
	}
	return chosen
}

// pairedZ is the mean over sites of a's page F1 minus b's (each site's
// pages averaged), in standard errors of that mean.
func pairedZ(a, b []float64, sites []string, idx []int) float64 {
	sum := map[string]float64{}
	n := map[string]int{}
	for _, i := range idx {
		sum[sites[i]] += a[i] - b[i]
		n[sites[i]]++
	}
	if len(sum) < 2 {
		return 0
	}
	var mean float64
	for s := range sum {
		sum[s] /= float64(n[s])
		mean += sum[s]
	}
	mean /= float64(len(sum))
	var ss float64
	for _, d := range sum {
		ss += (d - mean) * (d - mean)
	}
	se := math.Sqrt(ss / float64(len(sum)-1) / float64(len(sum)))
	switch {
	case se > 0:
		return mean / se
	case mean > 0:
		return math.Inf(1)
	case mean < 0:
		return math.Inf(-1)
	}
	return 0
}

// Targets of `eval extraction --check`.
const (
	// TargetF1 is the F1 the choice of extractor must reach on sites it
	// did not see (Report.HeldOut): go-trafilatura's published figure on
	// this benchmark.
	TargetF1 = 0.96
)

// Misses lists the targets the report falls short of: the held-out F1 of
// the choice (Report.HeldOut) below TargetF1 or not above the baseline
// (the first extractor, today's, which has nothing fitted) in this same
// run. The held-out figure is the one judged because the choice among
// candidates is fitted on these pages; Default's own F1 is in-sample.
func (r Report) Misses() []string {
	var out []string
	if r.HeldOut.F1 < TargetF1 {
		out = append(out, fmt.Sprintf("held-out choice F1 %.4f < %.2f", r.HeldOut.F1, TargetF1))
	}
	if len(r.Scores) > 0 && r.HeldOut.F1 <= r.Scores[0].F1 {
		out = append(out, fmt.Sprintf("held-out choice F1 %.4f not above baseline %s %.4f",
			r.HeldOut.F1, r.Scores[0].Extractor, r.Scores[0].F1))
	}
	return out
}

// WriteText prints the report as a table.
func (r Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "extractor\tF1\tprecision\trecall\texact\tfailed")
	row := func(s Score, mark string) {
		fmt.Fprintf(tw, "%s%s\t%.4f\t%.4f\t%.4f\t%.3f\t%d\n", s.Extractor, mark, s.F1, s.Precision, s.Recall, s.Exact, s.Failed)
	}
	for i, s := range r.Scores {
		mark := ""
		if i == 0 {
			mark = " (baseline)"
		}
		if s.Extractor == r.Default.Extractor {
			mark = " (default)"
		}
		row(s, mark)
	}
	row(r.HeldOut, " (leave-one-site-out)")
	row(r.BestF1, " (for comparison)")
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, c := range []struct {
		label  string
		counts map[string]int
	}{{"chosen on held-out sites", r.Chosen}, {"best F1 on held-out sites", r.ChosenBestF1}} {
		names := make([]string, 0, len(c.counts))
		for n := range c.counts {
			names = append(names, n)
		}
		sort.Strings(names)
		var parts []string
		for _, n := range names {
			parts = append(parts, fmt.Sprintf("%s ×%d", n, c.counts[n]))
		}
		if _, err := fmt.Fprintf(w, "%s: %s\n", c.label, strings.Join(parts, ", ")); err != nil {
			return err
		}
	}
	return nil
}
