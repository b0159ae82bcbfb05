package summarize

import (
	"strings"
	"testing"
)

// TestNoBoilerplateInSummaries puts the committed phrasings into real
// development articles at the head, middle and tail and glued to a
// sentence, and fails on any summary that carries some of them.
func TestNoBoilerplateInSummaries(t *testing.T) {
	pairs := devPairs(t)
	inj := Inject(pairs, DefaultPhrasings(), 60)
	if len(inj) == 0 {
		t.Fatal("no injections: the development pairs have no untokenized articles")
	}
	r := CheckBoilerplate(New(Options{}), inj)
	var b strings.Builder
	if err := r.WriteText(&b, 40); err != nil {
		t.Fatal(err)
	}
	if len(r.Leaks) > 0 {
		t.Error(b.String())
	}
}

func TestLeaked(t *testing.T) {
	orig := "Iran said on Monday it would resume talks. Share prices rose."
	tests := []struct {
		phrase, summary string
		want            bool
	}{
		{"Listen · 5 min", "Listen 5 min Iran said on Monday it would resume talks.", true},
		{"Share this article", "Iran said on Monday it would resume talks.", false},
		// Words the article had anyway are not a leak.
		{"Iran said on", "Iran said on Monday it would resume talks.", false},
		{"Cookie Settings", "Cookie Settings Iran said on Monday.", true},
	}
	for _, tt := range tests {
		if got := Leaked(tt.phrase, orig, tt.summary); got != tt.want {
			t.Errorf("Leaked(%q, %q) = %v, want %v", tt.phrase, tt.summary, got, tt.want)
		}
	}
}

func TestInjectPlaces(t *testing.T) {
	text := "One sentence here. Two sentence here. Three sentence here. Four sentence here."
	for _, where := range injectPlaces {
		got := inject(text, "BOILER", where)
		if !strings.Contains(got, "BOILER") || strings.Count(got, "sentence here") != 4 {
			t.Errorf("%s: %q", where, got)
		}
	}
	if got := inject(text, "BOILER", "glued-middle"); got != "One sentence here. Two sentence here. BOILER Three sentence here. Four sentence here." {
		t.Errorf("glued-middle: %q", got)
	}
}
