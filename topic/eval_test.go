package topic

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// tinyItems is a hand-made labelled set whose figures can be worked out on
// paper for the "talks" topic below and for the keyword baseline.
var tinyItems = []LabeledItem{
	{ID: "1", Title: "Iran talks resume", Label: "on", Subtopic: "iran"}, // model TP, baseline TP
	{ID: "2", Title: "Envoy visits Doha", Label: "on"},                   // model FN, baseline TP
	{ID: "3", Title: "Gaza talks show on TV", Label: "near_region"},      // model FP, baseline FP
	{ID: "4", Title: "Gaza hospital overwhelmed", Label: "near_region"},  // both TN
	{ID: "5", Title: "Ukraine talks stall", Label: "near_topic"},         // model FP, baseline TN
	{ID: "6", Title: "Cricket final tonight", Label: "off"},              // both TN
}

func talksTopic(t *testing.T) *Topic {
	t.Helper()
	tp, err := New(Def{Name: "talks", Include: []string{"talks"}, Subtopics: []SubtopicDef{{Name: "iran", Terms: []string{"Iran"}}}})
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func TestEvaluate(t *testing.T) {
	rep := Evaluate(tinyItems, talksTopic(t))
	near := func(got, want float64) bool { return math.Abs(got-want) < 1e-9 }
	m, b := rep.Model, rep.Baseline
	if m.TP != 1 || m.FN != 1 || m.FP != 2 || m.TN != 2 {
		t.Errorf("model confusion TP %d FN %d FP %d TN %d, want 1 1 2 2", m.TP, m.FN, m.FP, m.TN)
	}
	if !near(m.Precision, 1.0/3) || !near(m.Recall, 0.5) || !near(m.F1, 0.4) {
		t.Errorf("model P %.3f R %.3f F1 %.3f, want 0.333 0.5 0.4", m.Precision, m.Recall, m.F1)
	}
	if !near(m.FPR["near_region"], 0.5) || !near(m.FPR["near_topic"], 1) || !near(m.FPR["off"], 0) {
		t.Errorf("model FPR %v", m.FPR)
	}
	if _, ok := m.FPR["on"]; ok {
		t.Error("FPR reported for the positive label")
	}
	if b.TP != 2 || b.FN != 0 || b.FP != 1 || !near(b.F1, 0.8) {
		t.Errorf("baseline TP %d FN %d FP %d F1 %.3f, want 2 0 1 0.8", b.TP, b.FN, b.FP, b.F1)
	}
	if !near(b.FPR["near_region"], 0.5) || !near(b.FPR["near_topic"], 0) {
		t.Errorf("baseline FPR %v", b.FPR)
	}
	var missed []string
	for _, ms := range rep.Misses {
		missed = append(missed, ms.Item.ID)
	}
	if want := []string{"2", "3", "5"}; !slices.Equal(missed, want) {
		t.Errorf("misses %q, want %q", missed, want)
	}
	if !near(rep.SubtopicHit, 1) {
		t.Errorf("subtopic agreement %.3f, want 1", rep.SubtopicHit)
	}
	// Three items score 0.6 (one on) and three score 0 (one on):
	// (|1.8-1| + |0-1|) / 6.
	if math.Abs(rep.ECE-0.3) > 1e-6 {
		t.Errorf("ECE %.4f, want 0.3", rep.ECE)
	}
	if rep.Items != len(tinyItems) || rep.Topic != "talks" || rep.Threshold != DefaultThreshold {
		t.Errorf("report header %d %q %v", rep.Items, rep.Topic, rep.Threshold)
	}
	if got, want := m.Labels(), []string{"on", "near_region", "near_topic", "off"}; !slices.Equal(got, want) {
		t.Errorf("labels %q, want %q", got, want)
	}
}

func TestTargetsCheck(t *testing.T) {
	fails := DefaultTargets().Check(Evaluate(tinyItems, talksTopic(t)))
	for _, want := range []string{"F1 ≥ 0.90: NOT MET (0.400)", "F1 over keyword baseline ≥ +0.12: NOT MET", "FPR near_region ≤ 0.08: NOT MET (0.500)", "FPR near_topic ≤ 0.15: NOT MET (1.000)"} {
		found := false
		for _, f := range fails {
			found = found || strings.Contains(f, want)
		}
		if !found {
			t.Errorf("failures %q lack %q", fails, want)
		}
	}
	good := Report{
		Model:    Scores{F1: 0.9, FPR: map[string]float64{"near_region": 0.08, "near_topic": 0.15, "off": 0.5}},
		Baseline: Scores{F1: 0.7},
	}
	if fails := DefaultTargets().Check(good); len(fails) != 0 {
		t.Errorf("a report meeting every target failed: %q", fails)
	}
	// The floors CI enforces are the targets except for F1, whose floor is
	// below the target while the target is not met.
	fl := DefaultFloors()
	if fl.MinF1 >= DefaultTargets().MinF1 || fl.MaxFPR["near_region"] != 0.08 {
		t.Errorf("floors %+v", fl)
	}
	low := good
	low.Baseline.F1 = 0.6
	low.Model.F1 = fl.MinF1 - 0.001
	if fails := fl.Check(low); len(fails) != 1 || !strings.Contains(fails[0], "NOT MET") {
		t.Errorf("F1 below the floor: failures %q", fails)
	}
	low.Model.F1 = fl.MinF1
	low.Model.FPR = map[string]float64{"near_region": 0.081}
	if fails := fl.Check(low); len(fails) != 1 || !strings.Contains(fails[0], "near_region") {
		t.Errorf("near_region FPR above 0.08: failures %q", fails)
	}
}

func TestBaseline(t *testing.T) {
	tests := []struct {
		title, text string
		want        bool
	}{
		{"Iran talks resume", "", true},
		{"Talks resume", "in Tehran on Sunday", true},
		{"Gaza death toll rises", "", false},
		{"Ukraine peace talks", "", false},
	}
	for _, tt := range tests {
		if got := Baseline().Classify(tt.title, tt.text).Relevant; got != tt.want {
			t.Errorf("baseline(%q, %q) = %v, want %v", tt.title, tt.text, got, tt.want)
		}
	}
}

func TestParseLabeled(t *testing.T) {
	good := `{"id":"a","title":"T","description":"D","label":"on","subtopic":"hostages","note":""}

{"id":"b","title":"U","label":"off","extra":1}
`
	items, err := ParseLabeled(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Subtopic != "hostages" || items[1].Label != "off" {
		t.Errorf("items = %+v", items)
	}
	for _, tt := range []struct{ in, want string }{
		{`{"id":"a","label":"on"}` + "\n" + `{"id":"b","label":"on"}` + "\n" + `{"id":` + "\n", "line 3"},
		{`{"id":"a","title":"no label"}`, `line 1: item "a" has no label`},
	} {
		if _, err := ParseLabeled(strings.NewReader(tt.in)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseLabeled error = %v, want it to contain %q", err, tt.want)
		}
	}
}
