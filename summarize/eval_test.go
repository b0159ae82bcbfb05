package summarize

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestDevTargets checks the summary targets on the development pairs,
// cross-validated both ways (every fitted constant refitted without the
// fold scored): and R-L above Lead-3, R-1 by a point, mean length
// within the cap.
func TestDevTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("fits and scores the whole development set once per fold")
	}
	pairs := devPairs(t)
	for _, scheme := range []string{SchemeHash, SchemeSource} {
		folds, err := Folds(pairs, scheme)
		if err != nil {
			t.Fatal(err)
		}
		cv, err := CrossValidate(context.Background(), pairs, folds, scheme, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := cv.WriteText(&buf); err != nil {
			t.Fatal(err)
		}
		t.Logf("\n%s", buf.String())
		if cv.Report.Overall.N != len(pairs) {
			t.Errorf("scored %d of %d pairs", cv.Report.Overall.N, len(pairs))
		}
		for _, m := range cv.Misses() {
			t.Error(m)
		}
	}
}

func TestReadPairs(t *testing.T) {
	good := `{"id":"a","source":"s1","title":"","article":"One. Two.","reference":"One."}

{"id":"b","source":"s2","article":"Three.","reference":"Three."}
`
	pairs, err := ReadPairs(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) != 2 || pairs[1].ID != "b" || pairs[1].Source != "s2" {
		t.Errorf("pairs = %+v", pairs)
	}
	for _, tt := range []struct{ name, in, wantErr string }{
		{"bad json", "{\"id\":\"a\",\"article\":\"x\",\"reference\":\"y\"}\n{oops\n", "line 2"},
		{"missing reference", `{"id":"a","article":"x"}`, "line 1"},
		{"empty", "", "no pairs"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadPairs(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

// fixed is a Summarizer that returns the same text for every article.
type fixed string

func (f fixed) Summarize(context.Context, Article) (Summary, error) {
	return Summary{Text: string(f), Sentences: []string{string(f)}}, nil
}

func TestEvaluateAndMisses(t *testing.T) {
	pairs := []Pair{
		{ID: "cnndm-1", Source: "cnn-set", Article: "Rain fell in Paris. Traffic slowed. Schools shut. Markets rose.", Reference: "Heavy rain fell in Paris."},
		{ID: "xsum-1", Source: "xsum-set", Article: "Talks ended. No deal came. Envoys left. Oil fell.", Reference: "Talks ended without a deal."},
	}
	r, err := Evaluate(context.Background(), fixed("Rain fell in Paris and talks ended without a deal."), pairs)
	if err != nil {
		t.Fatal(err)
	}
	if r.Overall.N != 2 || len(r.BySource) != 2 || len(r.ByKind) != 2 {
		t.Fatalf("groups: overall %d, by source %d, by kind %d", r.Overall.N, len(r.BySource), len(r.ByKind))
	}
	if r.ByKind[0].Name != KindCNN || r.ByKind[1].Name != KindXSum {
		t.Errorf("kinds = %q, %q", r.ByKind[0].Name, r.ByKind[1].Name)
	}
	// Lead-3 of the first article is its first three sentences (8 words).
	if got := r.BySource[0].Lead3.MeanWords; got != 8 {
		t.Errorf("lead-3 words = %v, want 8", got)
	}
	if r.Overall.Briefbot.MeanWords != 10 {
		t.Errorf("briefbot words = %v, want 10", r.Overall.Briefbot.MeanWords)
	}
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"overall", "kind: CNN/DailyMail", "source: xsum-set", "lead-3", "briefbot"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, buf.String())
		}
	}

	// A report that misses everything lists every target.
	bad := Report{
		Overall: Group{Name: "overall", Briefbot: SystemScores{R1: 1, R2: 1, RL: 1, MeanWords: 90}, Lead3: SystemScores{R1: 2, R2: 2, RL: 2}},
		ByKind:  []Group{{Name: KindCNN, Briefbot: SystemScores{R1: 3, R2: 1, RL: 3}, Lead3: SystemScores{R1: 2, R2: 2, RL: 2}}},
	}
	misses := bad.Misses()
	if len(misses) != 5 { // 3 overall + CNN ROUGE-2 + length
		t.Errorf("misses = %q", misses)
	}
	good := Report{
		Overall: Group{Name: "overall", Briefbot: SystemScores{R1: 3, R2: 3, RL: 3, MeanWords: 60}, Lead3: SystemScores{R1: 2, R2: 2, RL: 2}},
		ByKind:  []Group{{Name: KindCNN, Briefbot: SystemScores{R1: 3, R2: 3, RL: 3}, Lead3: SystemScores{R1: 2, R2: 2, RL: 2}}},
	}
	if m := good.Misses(); len(m) != 0 {
		t.Errorf("misses = %q, want none", m)
	}
	if m := (Report{Overall: good.Overall}).Misses(); len(m) != 1 {
		t.Errorf("without CNN pairs, misses = %q, want one", m)
	}
}
