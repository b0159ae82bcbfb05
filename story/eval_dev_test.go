package story

import (
	"fmt"
	"os"
	"testing"

	"github.com/briefbot/briefbot/internal/evaldata"
)

// loadDevItems returns the labelled development items: evaluation-only
// data kept outside the repository (../shared/testdata beside the repo
// root, or $BRIEFBOT_TESTDATA), read, never copied. The test is skipped
// when it is absent, and fails instead under CI=true.
func loadDevItems(tb testing.TB) []LabeledItem {
	tb.Helper()
	return evaldata.Load(tb, "stories/dev.jsonl", ParseLabeled)
}

func TestDevSetTargets(t *testing.T) {
	items := loadDevItems(t)
	rep, err := Evaluate(items, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("briefbot: pairwise P %.3f R %.3f F1 %.3f (TP %d FP %d FN %d), B-cubed F1 %.3f, %d stories for %d events",
		rep.Model.Precision, rep.Model.Recall, rep.Model.F1, rep.Model.TP, rep.Model.FP, rep.Model.FN, rep.Model.BCubedF1, rep.Model.Stories, rep.Events)
	t.Logf("baseline: pairwise P %.3f R %.3f F1 %.3f, B-cubed F1 %.3f",
		rep.Baseline.Precision, rep.Baseline.Recall, rep.Baseline.F1, rep.Baseline.BCubedF1)
	if os.Getenv("STORY_MISTAKES") != "" {
		for _, m := range rep.Mistakes {
			kind := "SPLIT "
			if m.Merged {
				kind = "MERGED"
			}
			fmt.Printf("%s %s | %s\n       %s | %s\n", kind, m.A.Published.Format("01-02T15:04"), m.A.Title, m.B.Published.Format("01-02T15:04"), m.B.Title)
		}
	}
	for _, f := range DefaultTargets().Check(rep) {
		t.Error(f)
	}
}
