package topic

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// cvItems are written for this test: three news days of headlines, labelled
// by the rules in LABELS.md.
func cvItems() []LabeledItem {
	day := func(d string, on, off []string) []LabeledItem {
		var out []LabeledItem
		for i, t := range on {
			out = append(out, LabeledItem{ID: fmt.Sprintf("%s-on-%d", d, i), Title: t, Label: LabelOn, Published: d + "T10:00:00Z"})
		}
		for i, t := range off {
			out = append(out, LabeledItem{ID: fmt.Sprintf("%s-nr-%d", d, i), Title: t, Label: "near_region", Published: d + "T12:00:00Z"})
		}
		return out
	}
	var items []LabeledItem
	items = append(items, day("2025-01-01",
		[]string{"Qatar hosts Gaza ceasefire talks", "Iran foreign minister visits Oman", "EU imposes sanctions on Iran"},
		[]string{"Israeli strike kills 12 in Gaza", "Floods hit southern Iraq", "Saudi club wins league title"})...)
	items = append(items, day("2025-01-02",
		[]string{"Egypt mediates new truce talks", "China condemns Israeli strike on Iran", "Jordan summons Israeli ambassador"},
		[]string{"Protesters rally in Tel Aviv", "Gaza hospital runs out of fuel", "Lebanese film wins festival prize"})...)
	items = append(items, day("2025-01-03",
		[]string{"UN Security Council meets on Syria", "Turkey and Iraq sign water deal", "Saudi crown prince receives US envoy"},
		[]string{"Earthquake kills dozens in Turkey", "Iran currency hits record low", "Drone attack kills two in Yemen"})...)
	return items
}

// A held-out day's verdicts must not depend on that day's labels: flipping
// them changes nothing in its cross-validated predictions.
func TestCrossValidateRefitsWithoutTheDay(t *testing.T) {
	items := cvItems()
	base := CrossValidate(items, Default())
	if len(base.Days) != 3 {
		t.Fatalf("%d folds, want one per news day (3)", len(base.Days))
	}
	flipped := slices.Clone(items)
	for i := range flipped {
		if strings.HasPrefix(flipped[i].Published, "2025-01-02") {
			if flipped[i].Label == LabelOn {
				flipped[i].Label = "near_region"
			} else {
				flipped[i].Label = LabelOn
			}
		}
	}
	got := CrossValidate(flipped, Default())
	// Day 2's predictions are the same; its scores are measured against the
	// flipped labels, so TP and FP swap roles.
	b, g := base.Days[1].Learned, got.Days[1].Learned
	if b.TP+b.FN != g.FP+g.TN || b.TP != g.FP || b.FP != g.TP {
		t.Errorf("day 2 verdicts changed when only its own labels changed: before %+v, after %+v", b, g)
	}
}

func TestActClassesCoverGazetteer(t *testing.T) {
	for _, specs := range [][]spec{diploSpecs, statementSpecs} {
		for _, s := range specs {
			if _, ok := actClass[s.label]; !ok {
				t.Errorf("gazetteer entry %q has no act class in actClass", s.label)
			}
		}
	}
	for label, act := range actClass {
		if act != "" && !slices.Contains(actNames, act) {
			t.Errorf("actClass[%q] = %q, not one of %q", label, act, actNames)
		}
	}
}

// weights.go must hold a weight for every feature, and none for a feature
// that no longer exists; refit with `briefbot eval topics --fit`.
func TestWeightsCoverFeatures(t *testing.T) {
	for _, n := range featNames {
		if _, ok := fittedWeights[n]; !ok {
			t.Errorf("weights.go has no weight for feature %q", n)
		}
	}
	for n := range fittedWeights {
		if _, ok := featIndex[n]; !ok {
			t.Errorf("weights.go has a weight for unknown feature %q", n)
		}
	}
}

// Reasons name the actor, the act and the region first.
func TestReasonsNameActorActRegion(t *testing.T) {
	r := Default().Classify("China condemns Israeli strike on Iran", "")
	if len(r.Reasons) == 0 || r.Reasons[0] != "actor: China (government) · act: statement · about: Israel, Iran" {
		t.Errorf("first reason %q, want actor, act and region", r.Reasons)
	}
	r = Default().Classify("Activists urge government to cut ties with Israel", "")
	if len(r.Reasons) == 0 || !strings.HasPrefix(r.Reasons[0], "actor: civil society (activists) (non-state)") {
		t.Errorf("first reason %q, want the non-state actor", r.Reasons)
	}
}

func TestTermReport(t *testing.T) {
	items := []LabeledItem{
		{Title: "Qatar hosts ceasefire talks", Label: LabelOn},
		{Title: "Ceasefire talks resume in Doha", Label: LabelOn},
		{Title: "Doha marathon draws crowds", Label: "near_region"},
	}
	byTerm := map[string]TermCount{}
	for _, c := range TermReport(items) {
		byTerm[c.Class+"|"+c.Term] = c
	}
	if c := byTerm["diplomacy/talks|talks"]; c.Items != 2 || c.ByLabel[LabelOn] != 2 {
		t.Errorf("talks: %+v, want 2 on items", c)
	}
	if c := byTerm["region/Qatar|doha"]; c.Items != 2 || c.ByLabel["near_region"] != 1 {
		t.Errorf("doha: %+v, want 2 items, one near_region", c)
	}
	if c, ok := byTerm["region/Iran|iran"]; !ok || c.Items != 0 {
		t.Errorf("iran: %+v (listed %v), want listed with 0 items", c, ok)
	}
}
