package rouge

import (
	"bufio"
	"math"
	"os"
	"strings"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func checkScore(t *testing.T, name string, got, want Score, tol float64) {
	t.Helper()
	if !near(got.Precision, want.Precision, tol) || !near(got.Recall, want.Recall, tol) || !near(got.F1, want.F1, tol) {
		t.Errorf("%s = %+v, want %+v", name, got, want)
	}
}

// Values from rouge-score's rouge_scorer_test.py.
func TestSmallCases(t *testing.T) {
	const tol = 1e-9
	tests := []struct {
		name, target, prediction string
		pick                     func(Scores) Score
		want                     Score
	}{
		{"rouge1", "testing one two", "testing", func(s Scores) Score { return s.R1 }, Score{1, 1.0 / 3, 0.5}},
		{"rouge1 empty", "testing one two", "", func(s Scores) Score { return s.R1 }, Score{}},
		{"rouge2 empty", "testing one two", "", func(s Scores) Score { return s.R2 }, Score{}},
		{"rougeL empty", "testing one two", "", func(s Scores) Score { return s.RL }, Score{}},
		{"rouge2", "testing one two", "testing one", func(s Scores) Score { return s.R2 }, Score{1, 0.5, 2.0 / 3}},
		{"rougeL consecutive", "testing one two", "testing one", func(s Scores) Score { return s.RL }, Score{1, 2.0 / 3, 0.8}},
		{"rougeL non-consecutive", "testing one two", "testing two", func(s Scores) Score { return s.RL }, Score{1, 2.0 / 3, 0.8}},
		{"rouge1 multiple", "testing one two", "testing one", func(s Scores) Score { return s.R1 }, Score{1, 2.0 / 3, 0.8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkScore(t, tt.name, tt.pick(Scorer{}.Score(tt.target, tt.prediction)), tt.want, tol)
		})
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

// Published ROUGE-1.5.5 values from rouge_scorer_test.py, to 5 places.
func TestAgainstROUGE155(t *testing.T) {
	targets := readLines(t, "testdata/target.txt")
	preds := readLines(t, "testdata/prediction.txt")
	const tol = 5e-6
	tests := []struct {
		name  string
		stem  bool
		line  int
		pick  func(Scores) Score
		recal float64
		prec  float64
		f1    float64
	}{
		{"rouge1/0", false, 0, func(s Scores) Score { return s.R1 }, 0.40741, 0.68750, 0.51163},
		{"rouge1/1", false, 1, func(s Scores) Score { return s.R1 }, 0.40476, 0.65385, 0.50000},
		{"rouge1 stem/0", true, 0, func(s Scores) Score { return s.R1 }, 0.40741, 0.68750, 0.51163},
		{"rouge1 stem/1", true, 1, func(s Scores) Score { return s.R1 }, 0.42857, 0.69231, 0.52941},
		{"rouge2/0", false, 0, func(s Scores) Score { return s.R2 }, 0.30769, 0.53333, 0.39024},
		{"rouge2/1", false, 1, func(s Scores) Score { return s.R2 }, 0.29268, 0.48000, 0.36364},
		{"rouge2 stem/0", true, 0, func(s Scores) Score { return s.R2 }, 0.30769, 0.53333, 0.39024},
		{"rouge2 stem/1", true, 1, func(s Scores) Score { return s.R2 }, 0.29268, 0.48000, 0.36364},
		{"rougeL/0", false, 0, func(s Scores) Score { return s.RL }, 0.40741, 0.68750, 0.51163},
		{"rougeL/1", false, 1, func(s Scores) Score { return s.RL }, 0.40476, 0.65385, 0.50000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.pick(Scorer{Stem: tt.stem}.Score(targets[tt.line], preds[tt.line]))
			checkScore(t, tt.name, got, Score{Precision: tt.prec, Recall: tt.recal, F1: tt.f1}, tol)
		})
	}
}

func TestLCSLength(t *testing.T) {
	// rouge_scorer_test.py testLcsTable, with tokens as strings.
	ref := strings.Fields("1 2 3 4 5")
	if got := lcsLen(ref, strings.Fields("2 5 3 4")); got != 3 {
		t.Errorf("lcs = %d, want 3", got)
	}
	if got := lcsLen(ref, strings.Fields("8 9")); got != 0 {
		t.Errorf("lcs = %d, want 0", got)
	}
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		stem bool
		want string
	}{
		{"The U.S.-led talks, in Vienna!", false, "the u s led talks in vienna"},
		{"Running runners ran quickly", true, "run runner ran quickli"},
		// Words of three letters or fewer are never stemmed.
		{"was its dies flies", true, "was its die fli"},
		{"Café  naïve 3.5%", false, "caf na ve 3 5"},
		{"İstanbul", false, "i stanbul"},
		{"\u212Aelvin", false, "kelvin"},
		{"", true, ""},
		{"--- !!!", true, ""},
	}
	for _, tt := range tests {
		if got := strings.Join(Tokenize(tt.in, tt.stem), " "); got != tt.want {
			t.Errorf("Tokenize(%q, %v) = %q, want %q", tt.in, tt.stem, got, tt.want)
		}
	}
}

func TestStemNLTKExamples(t *testing.T) {
	// From NLTK's stem.doctest, its unit tests (the "oed" bug, irregular
	// forms) and the examples in Porter's 1980 paper as NLTK stems them.
	tests := map[string]string{
		"caresses": "caress", "flies": "fli", "dies": "die", "mules": "mule",
		"denied": "deni", "died": "die", "agreed": "agre", "owned": "own",
		"humbled": "humbl", "sized": "size", "meeting": "meet", "stating": "state",
		"siezing": "siez", "itemization": "item", "sensational": "sensat",
		"traditional": "tradit", "reference": "refer", "colonizer": "colon",
		"plotted": "plot", "generously": "gener", "oed": "o",
		"skies": "sky", "dying": "die", "lying": "lie", "news": "news",
		"innings": "inning", "proceed": "proceed", "exceed": "exceed",
		"ponies": "poni", "ties": "tie", "cats": "cat", "feed": "feed",
		"plastered": "plaster", "bled": "bled", "motoring": "motor", "sing": "sing",
		"conflated": "conflat", "troubled": "troubl", "hopping": "hop",
		"falling": "fall", "hissing": "hiss", "fizzed": "fizz", "failing": "fail",
		"filing": "file", "happy": "happi", "enjoy": "enjoy", "relational": "relat",
		"conditional": "condit", "rational": "ration", "digitizer": "digit",
		"hopefulness": "hope", "formalize": "formal", "electrical": "electr",
		"goodness": "good", "allowance": "allow", "adjustable": "adjust",
		"adoption": "adopt", "communism": "commun", "effective": "effect",
		"probate": "probat", "rate": "rate", "cease": "ceas", "controll": "control",
		"roll": "roll", "a": "a", "is": "is",
	}
	for w, want := range tests {
		if got := Stem(w); got != want {
			t.Errorf("Stem(%q) = %q, want %q", w, got, want)
		}
	}
}

func TestStemVocabulary(t *testing.T) {
	f, err := os.Open("testdata/porter_nltk.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n, bad := 0, 0
	for sc.Scan() {
		word, want, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			t.Fatalf("line %d: no tab", n+1)
		}
		n++
		if got := Stem(word); got != want {
			bad++
			if bad <= 10 {
				t.Errorf("Stem(%q) = %q, NLTK says %q", word, got, want)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 2000 {
		t.Fatalf("read only %d pairs", n)
	}
	if bad > 0 {
		t.Errorf("%d of %d words differ from NLTK", bad, n)
	}
}

func BenchmarkScore(b *testing.B) {
	target := "Officials met in Vienna on Tuesday to revive talks on the nuclear programme .\nA deal could ease sanctions ."
	pred := "Diplomats gathered in Vienna on Tuesday for a new round of nuclear talks. Officials said a deal that eases sanctions was close, though gaps remained."
	s := Scorer{Stem: true}
	for b.Loop() {
		s.Score(target, pred)
	}
}
