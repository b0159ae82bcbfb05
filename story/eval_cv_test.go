package story

import (
	"testing"
	"time"
)

// A day's figure comes from constants fitted without it: day A alone
// wants a low threshold (its two reports are one event), days B and C a
// high one (their look-alike reports are two events), so A is scored with
// the high threshold B and C chose.
func TestCrossValidateRefitsWithoutTheDay(t *testing.T) {
	at := func(day, hour int) time.Time { return time.Date(2025, 4, day, hour, 0, 0, 0, time.UTC) }
	pair := func(day int, same bool) []LabeledItem {
		e1, e2 := "one", "one"
		if !same {
			e2 = "two"
		}
		return []LabeledItem{
			{ID: "x" + at(day, 0).Format("02"), Outlet: "A", Title: "Iran and Oman foreign ministers meet in Muscat on nuclear talks",
				Description: "The ministers discussed the nuclear talks in Muscat.", Published: at(day, 9), Event: e1 + at(day, 0).Format("02")},
			{ID: "y" + at(day, 0).Format("02"), Outlet: "B", Title: "Oman and Iran ministers hold Muscat meeting on prisoner swap",
				Description: "Talks in Muscat covered a prisoner exchange.", Published: at(day, 11), Event: e2 + at(day, 0).Format("02")},
		}
	}
	var items []LabeledItem
	items = append(items, pair(1, true)...)
	items = append(items, pair(2, false)...)
	items = append(items, pair(3, false)...)
	low, high := Params{Threshold: 0.05, LinkMax: 0.6, PieceFactor: 1}, Params{Threshold: 0.95, LinkMax: 0.6, PieceFactor: 1}
	rep, err := CrossValidate(items, Options{}, []Params{low, high})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Days) != 3 || rep.Days[0].Day != "2025-04-01" {
		t.Fatalf("days %+v; want three, in date order", rep.Days)
	}
	if rep.Fitted != high {
		t.Errorf("fitted on all days %+v, want %+v", rep.Fitted, high)
	}
	a := rep.Days[0]
	if a.Fitted != high || a.CV.F1 != 0 {
		t.Errorf("day A: fitted %+v, CV pairwise %.2f; want %+v fitted on B and C, which splits A's pair (0)", a.Fitted, a.CV.F1, high)
	}
	// Scored with the low threshold, A's pair would have joined.
	if s := Summarize([]DayScores{{CV: mustScore(t, pair(1, true), low)}}, func(d DayScores) Scores { return d.CV }); s.MacroPairwise != 1 {
		t.Errorf("day A with the low threshold: pairwise %.2f, want 1", s.MacroPairwise)
	}
	if _, err := CrossValidate(items, Options{}, nil); err == nil {
		t.Error("an empty grid: want an error")
	}
}

func mustScore(t *testing.T, items []LabeledItem, p Params) Scores {
	t.Helper()
	events, cis := labelled(items)
	s, err := Score(events, ClusterAll(cis, p.Apply(Options{})))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The targets are reported as met or not from the cross-validated
// figures; the floors fail only a figure below them.
func TestTargetsAndFloorsOnCVFigures(t *testing.T) {
	rep := CVReport{CV: Summary{MacroBCubed: 0.93, MacroPairwise: 0.71}, InSample: Summary{MacroBCubed: 0.99, MacroPairwise: 0.99}}
	st := Targets{PairwiseF1: 0.70, BCubedF1: 0.94}.StatusCV(rep)
	if len(st) != 2 || st[0].Met() || !st[1].Met() {
		t.Fatalf("status %v; want B³ not met, pairwise met", st)
	}
	if got, want := st[0].String(), "target CV macro B³ F1 ≥ 0.94: NOT MET (0.930)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := st[1].String(), "target CV macro pairwise F1 ≥ 0.70: met (0.710)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, tt := range []struct {
		floor Targets
		fails int
	}{
		{Targets{PairwiseF1: 0.70, BCubedF1: 0.92}, 0},
		{Targets{PairwiseF1: 0.72, BCubedF1: 0.92}, 1},
		{Targets{PairwiseF1: 0.72, BCubedF1: 0.95}, 2},
	} {
		if got := tt.floor.CheckCV(rep); len(got) != tt.fails {
			t.Errorf("floor %+v: %v, want %d failures (in-sample figures must not count)", tt.floor, got, tt.fails)
		}
	}
}
