package article

import (
	"math"
	"testing"
)

func TestPageScore(t *testing.T) {
	truth := "one two three four five six"
	tests := []struct {
		name       string
		pred       string
		p, r       float64
		exact      bool
		truthEmpty bool
	}{
		{name: "identical", pred: truth, p: 1, r: 1, exact: true},
		{name: "punctuation and spacing ignored", pred: "one, two. three!\n\nfour five six", p: 1, r: 1, exact: true},
		{name: "nothing predicted", pred: "", p: 0, r: 0},
		{name: "half the shingles", pred: "one two three four five", p: 1, r: 2.0 / 3},
		{name: "extra boilerplate", pred: truth + " share this story", p: 3.0 / 6, r: 1},
		{name: "short texts are one shingle", pred: "a b", p: 0, r: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, r, exact := PageScore(tt.pred, truth)
			if math.Abs(p-tt.p) > 1e-9 || math.Abs(r-tt.r) > 1e-9 || exact != tt.exact {
				t.Errorf("PageScore(%q) = P %.3f R %.3f exact %v, want P %.3f R %.3f exact %v", tt.pred, p, r, exact, tt.p, tt.r, tt.exact)
			}
		})
	}
	if p, r, _ := PageScore("", ""); p != 1 || r != 1 {
		t.Errorf("empty against empty = %v %v, want 1 1", p, r)
	}
}

func TestScoreTextsAveragesPerPage(t *testing.T) {
	pages := []Page{{Body: "a b c d e"}, {Body: "f g h i j"}}
	// The first page is perfect, the second has nothing predicted: it
	// counts for recall (0) but not for precision, as in evaluate.py.
	s := ScoreTexts("x", []string{"a b c d e", ""}, pages, nil)
	if s.Precision != 1 || s.Recall != 0.5 || math.Abs(s.F1-2.0/3) > 1e-9 {
		t.Errorf("score = P %v R %v F1 %v, want 1, 0.5, 0.667", s.Precision, s.Recall, s.F1)
	}
}

func TestDropHeadline(t *testing.T) {
	tests := []struct{ text, title, want string }{
		{"Iran and US talk\n\nBody here.", "Iran and US talk", "Body here."},
		{"IRAN AND US TALK!\n\nBody here.", "Iran and US talk | Site", "Body here."},
		{"Body here.\n\nIran and US talk", "Iran and US talk", "Body here.\n\nIran and US talk"},
		{"Iran talks resume after a pause of weeks.\n\nMore.", "Iran talks", "Iran talks resume after a pause of weeks.\n\nMore."},
		{"Only the headline", "Only the headline", "Only the headline"},
	}
	for _, tt := range tests {
		if got := dropHeadline(tt.text, tt.title); got != tt.want {
			t.Errorf("dropHeadline(%q, %q) = %q, want %q", tt.text, tt.title, got, tt.want)
		}
	}
}

func TestParseReadsUndeclaredUTF8AsUTF8(t *testing.T) {
	body := []byte("<html><body><p>Iran’s envoy — “talks”</p></body></html>")
	doc, err := Parse(body, "text/html")
	if err != nil {
		t.Fatal(err)
	}
	if got := nodeText(doc); got != "Iran’s envoy — “talks”" {
		t.Errorf("text = %q", got)
	}
	latin1 := []byte("<html><body><p>Gen\xe8ve</p></body></html>")
	doc, err = Parse(latin1, "text/html")
	if err != nil {
		t.Fatal(err)
	}
	if got := nodeText(doc); got != "Genève" {
		t.Errorf("windows-1252 text = %q", got)
	}
}

func TestMisses(t *testing.T) {
	base := Score{Extractor: "old", F1: 0.958}
	tests := []struct {
		held float64
		want int
	}{{0.965, 0}, {0.959, 1}, {0.955, 2}}
	for _, tt := range tests {
		// The default's own (in-sample) F1 is high in every case: only
		// the held-out figure is judged.
		r := Report{Scores: []Score{base, {Extractor: "new", F1: 0.99}}, Default: Score{Extractor: "new", F1: 0.99},
			HeldOut: Score{F1: tt.held}}
		if got := r.Misses(); len(got) != tt.want {
			t.Errorf("held-out F1 %.3f: misses %q, want %d", tt.held, got, tt.want)
		}
	}
}

func TestChoose(t *testing.T) {
	// Six sites, one page each; extractor 0 is the default.
	sites := []string{"a", "b", "c", "d", "e", "f"}
	idx := []int{0, 1, 2, 3, 4, 5}
	def := []float64{0.9, 0.9, 0.9, 0.9, 0.9, 0.9}
	tests := []struct {
		name  string
		cands [][]float64 // page F1 of candidates 1, 2, ...
		f1    []float64   // pooled F1 of the default and each candidate
		want  int
	}{
		{"a gain every site shares replaces the default",
			[][]float64{{0.95, 0.93, 0.96, 0.94, 0.95, 0.97}}, []float64{0.9, 0.95}, 1},
		{"a gain on one site alone does not, however large",
			[][]float64{{0.9, 0.9, 0.9, 0.9, 0.9, 1.0}}, []float64{0.9, 0.92}, 0},
		{"wins and losses that cancel do not",
			[][]float64{{1.0, 0.8, 1.0, 0.8, 1.0, 0.8}}, []float64{0.9, 0.91}, 0},
		{"of two significant gains, the better pooled F1",
			[][]float64{{0.95, 0.93, 0.96, 0.94, 0.95, 0.97}, {0.92, 0.92, 0.93, 0.92, 0.92, 0.93}}, []float64{0.9, 0.95, 0.97}, 2},
	}
	for _, tt := range tests {
		pageF1 := append([][]float64{def}, tt.cands...)
		train := make([]Score, len(tt.f1))
		for i, f := range tt.f1 {
			train[i] = Score{F1: f}
		}
		if got := choose(0, train, pageF1, sites, idx); got != tt.want {
			t.Errorf("%s: chose %d, want %d", tt.name, got, tt.want)
		}
	}
}
