package story

import (
	"testing"

	"github.com/briefbot/briefbot/internal/evaldata"
)

// loadDevItems returns the labelled development items of dev and dev2:
// evaluation-only data kept outside the repository (../shared/testdata
// beside the repo root, or $BRIEFBOT_TESTDATA), read, never copied. The
// test is skipped when it is absent, and fails instead under CI=true.
func loadDevItems(tb testing.TB) []LabeledItem {
	tb.Helper()
	items := evaldata.Load(tb, "stories/dev.jsonl", ParseLabeled)
	return append(items, evaldata.Load(tb, "stories/dev2.jsonl", ParseLabeled)...)
}

// TestDevSetCrossValidated checks, on figures cross-validated by news day,
// that the clusterer beats the same-day word-overlap baseline and stays
// above the regression floors; the targets, not yet met, are
// reported by `briefbot eval stories --check`.
func TestDevSetCrossValidated(t *testing.T) {
	rep, err := CrossValidate(loadDevItems(t), Options{}, ParamGrid())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range rep.Days {
		t.Logf("%s: %3d items, CV B³ %.3f pairwise %.3f (in-sample %.3f %.3f), baseline %.3f %.3f",
			d.Day, d.Items, d.CV.BCubedF1, d.CV.F1, d.InSample.BCubedF1, d.InSample.F1, d.Baseline.BCubedF1, d.Baseline.F1)
	}
	t.Logf("CV macro B³ %.3f, macro pairwise %.3f, pooled pairwise %.3f; fitted on all days %+v",
		rep.CV.MacroBCubed, rep.CV.MacroPairwise, rep.CV.PooledPairwise, rep.Fitted)
	if rep.CV.MacroBCubed <= rep.Baseline.MacroBCubed || rep.CV.MacroPairwise <= rep.Baseline.MacroPairwise ||
		rep.CV.PooledPairwise <= rep.Baseline.PooledPairwise {
		t.Errorf("cross-validated %+v does not beat the baseline %+v", rep.CV, rep.Baseline)
	}
	for _, f := range CVFloors().CheckCV(rep) {
		t.Errorf("below the regression floor: %s", f)
	}
	for _, st := range CVTargets().StatusCV(rep) {
		t.Log(st)
	}
	// The defaults are the constants fitted on all days.
	o := NewClusterer(Options{}).Options()
	if got := (Params{o.Threshold, o.LinkMax, o.PieceFactor, o.ByReports, o.TopK}); got != rep.Fitted {
		t.Errorf("default constants %+v differ from those fitted on all days %+v: refit them", got, rep.Fitted)
	}
}
