package story

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestScore(t *testing.T) {
	// Events: a a a b c; predicted: 1 1 2 2 3.
	events := []string{"a", "a", "a", "b", "c"}
	stories := []int64{1, 1, 2, 2, 3}
	s, err := Score(events, stories)
	if err != nil {
		t.Fatal(err)
	}
	// True pairs: (0,1) (0,2) (1,2) = 3. Predicted: (0,1) (2,3) = 2. TP 1.
	if s.TP != 1 || s.FP != 1 || s.FN != 2 {
		t.Errorf("TP/FP/FN = %d/%d/%d, want 1/1/2", s.TP, s.FP, s.FN)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if !near(s.Precision, 0.5) || !near(s.Recall, 1.0/3) || !near(s.F1, 0.4) {
		t.Errorf("P/R/F1 = %v/%v/%v, want 0.5/0.333/0.4", s.Precision, s.Recall, s.F1)
	}
	// B-cubed precision per item: 1, 1, 1/2, 1/2, 1 -> 0.8.
	// Recall per item: 2/3, 2/3, 1/3, 1, 1 -> 11/15.
	if !near(s.BCubedPrecision, 0.8) || !near(s.BCubedRecall, 11.0/15) {
		t.Errorf("B-cubed P/R = %v/%v, want 0.8/0.7333", s.BCubedPrecision, s.BCubedRecall)
	}
	if s.Stories != 3 {
		t.Errorf("Stories = %d, want 3", s.Stories)
	}
	if _, err := Score([]string{"a"}, nil); err == nil {
		t.Error("mismatched lengths: want an error")
	}
	// All singletons, all right: nothing claimed and nothing to find.
	if s, _ := Score([]string{"a", "b"}, []int64{1, 2}); s.F1 != 1 || s.BCubedF1 != 1 {
		t.Errorf("perfect singletons: F1 %v, B-cubed %v; want 1, 1", s.F1, s.BCubedF1)
	}
}

func TestParseLabeled(t *testing.T) {
	good := `{"id":"a","outlet":"X","title":"T","description":"D","link":"https://x/a","published":"2025-06-24T21:03:00+00:00","event":"e1","note":""}

{"id":"b","title":"T2","published":"2025-06-24T22:00:00Z","event":"e1"}
`
	items, err := ParseLabeled(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Outlet != "X" || items[1].Event != "e1" || !items[0].Published.Equal(time.Date(2025, 6, 24, 21, 3, 0, 0, time.UTC)) {
		t.Errorf("parsed %+v", items)
	}
	bad := []struct{ in, want string }{
		{`{"id":"a","title":"T","published":"2025-06-24T21:03:00Z","event":"e"}` + "\n" + `{"id":`, "line 2"},
		{`{"id":"a","title":"T","event":"e"}`, "line 1: missing published"},
		{`{"title":"T","published":"2025-06-24T21:03:00Z"}`, "missing id, event"},
		{`{"id":"a","title":"T","published":"2025-06-24T21:03:00Z","event":"e"}` + "\n" + `{"id":"a","title":"T","published":"2025-06-24T21:03:00Z","event":"e"}`, "also on line 1"},
		{`{"id":"a","title":"T","published":"yesterday","event":"e"}`, "line 1"},
	}
	for _, tt := range bad {
		_, err := ParseLabeled(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseLabeled(%q) error = %v, want one containing %q", tt.in, err, tt.want)
		}
	}
}

func TestBaselineClusters(t *testing.T) {
	items := []ClusterItem{
		{Title: "Iran and US resume talks in Oman", Published: at(1)},
		{Title: "Iran, US resume nuclear talks in Muscat, Oman", Published: at(2)}, // shares 5 of 8 words with 0
		{Title: "Iran and US resume talks in Oman", Published: at(30)},             // another UTC day
		{Title: "Saudi Arabia hosts football tournament", Published: at(3)},        // nothing in common
		{Title: "Talks", Published: at(0.5)},                                       // first in time
	}
	got := BaselineClusters(items)
	if got[0] != got[1] {
		t.Errorf("titles sharing half their words on one day: stories %d and %d", got[0], got[1])
	}
	if got[2] == got[0] || got[3] == got[0] {
		t.Errorf("another day or other words joined: %v", got)
	}
	// Stories are numbered in published order.
	if got[4] != 1 {
		t.Errorf("the earliest item's story is %d, want 1", got[4])
	}
}

func TestClusterAllIgnoresInputOrder(t *testing.T) {
	items := newSynth(3, 500).stream(60, t0, 20*time.Hour)
	for i := range items {
		items[i].ID = 0
	}
	fwd := ClusterAll(items, Options{})
	rev := slices.Clone(items)
	slices.Reverse(rev)
	back := ClusterAll(rev, Options{})
	slices.Reverse(back)
	if !slices.Equal(fwd, back) {
		t.Errorf("story IDs depend on input order:\n%v\n%v", fwd, back)
	}
	if slices.Max(fwd) == int64(len(items)) {
		t.Error("no item joined another: the stream tests nothing")
	}
}

func TestEvaluateAndTargets(t *testing.T) {
	mk := func(id, title, event string, h float64) LabeledItem {
		return LabeledItem{ID: id, Title: title, Description: title, Published: at(h), Event: event}
	}
	items := []LabeledItem{
		mk("1", "Oman hosts new round of talks between Iran and US envoys in Muscat", "talks", 1),
		mk("2", "Oman hosts new round of talks between Iran and US envoys in Muscat", "talks", 2),
		mk("3", "Archaeologists uncover Roman mosaic near Jordan's Jerash", "mosaic", 3),
		mk("4", "Qatar to host regional football tournament next winter in Doha", "football", 4),
	}
	rep, err := Evaluate(items, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Items != 4 || rep.Events != 3 || rep.MultiEvents != 1 {
		t.Errorf("counts %d items, %d events, %d multi; want 4, 3, 1", rep.Items, rep.Events, rep.MultiEvents)
	}
	if rep.Model.F1 != 1 || len(rep.Mistakes) != 0 {
		t.Errorf("a wire copy and two singletons: F1 %v, mistakes %v", rep.Model.F1, rep.Mistakes)
	}
	if rep.Options.Window != defaultWindow {
		t.Errorf("report options %+v: want defaults filled in", rep.Options)
	}
	if fails := DefaultTargets().Check(rep); len(fails) != 0 {
		t.Errorf("all targets met, Check says %v", fails)
	}
	rep.Model.F1, rep.Model.BCubedF1 = 0.79, 0.949
	if fails := DefaultTargets().Check(rep); len(fails) != 2 {
		t.Errorf("both targets missed, Check says %v", fails)
	}
}
