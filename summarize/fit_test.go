package summarize

import (
	"context"
	"testing"
)

// TestDefaultParamsAreFitted refits the constants on the development pairs:
// the committed defaults must be what the data gives, not hand edits.
func TestDefaultParamsAreFitted(t *testing.T) {
	pairs := devPairs(t)
	if got, want := FitDefaults(pairs), defaultParams.String(); got != want {
		t.Errorf("fitting on summaries/dev.jsonl gives\n%s\nbut defaultParams is\n%s\n(run `briefbot eval summaries --fit` and commit its output)", got, want)
	}
}

// TestCrossValidateRefitsPerFold checks the folds are disjoint and cover
// every pair, and that a fold is scored with constants fitted without it:
// a fold whose training pairs reward long summaries and one whose reward
// short ones must get different length targets.
func TestCrossValidateRefitsPerFold(t *testing.T) {
	long := "Iran and the United States held talks in Oman on Saturday about the nuclear programme. " +
		"The delegations met for four hours in Muscat with Omani mediators carrying messages. " +
		"Both sides called the meeting constructive and agreed to meet again next week in Rome. " +
		"Officials said sanctions relief and enrichment limits were the main topics of discussion. " +
		"Israel warned that it would not accept any deal that left enrichment in place."
	pairs := []Pair{
		{ID: "a1", Source: "short", Article: long, Reference: "Iran and the United States held talks in Oman on Saturday."},
		{ID: "a2", Source: "short", Article: long, Reference: "Iran and the United States held nuclear talks in Oman."},
		{ID: "b1", Source: "long", Article: long, Reference: "Iran and the United States held talks in Oman on Saturday about the nuclear programme. The delegations met for four hours in Muscat. Both sides called the meeting constructive and agreed to meet again next week in Rome."},
		{ID: "b2", Source: "long", Article: long, Reference: "Talks in Oman on the nuclear programme lasted four hours in Muscat with Omani mediators. Both sides called the meeting constructive and agreed to meet again next week in Rome. Sanctions relief and enrichment limits were discussed."},
	}
	folds, err := Folds(pairs, SchemeSource)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, f := range folds {
		for _, i := range f.Test {
			if seen[i] {
				t.Errorf("pair %d is in two test folds", i)
			}
			seen[i] = true
			for _, j := range f.Train {
				if i == j {
					t.Errorf("fold %s trains on its own test pair %d", f.Name, i)
				}
			}
		}
	}
	if len(seen) != len(pairs) {
		t.Errorf("folds test %d of %d pairs", len(seen), len(pairs))
	}
	cv, err := CrossValidate(context.Background(), pairs, folds, SchemeSource, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cv.Folds) != 2 || cv.Folds[0].Params == cv.Folds[1].Params {
		t.Errorf("the two folds should be fitted apart and differ: %+v", cv.Folds)
	}
	if cv.Report.Overall.N != len(pairs) {
		t.Errorf("pooled report has %d pairs, want %d", cv.Report.Overall.N, len(pairs))
	}
	if _, err := Folds(pairs, "day"); err == nil {
		t.Error("an unknown scheme should be an error")
	}
}
