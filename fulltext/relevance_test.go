package fulltext

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
	"testing"

	"github.com/briefbot/briefbot/internal/evaldata"
	"github.com/briefbot/briefbot/topic"
)

type devItem struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Label       string `json:"label"`
	Published   string `json:"published"`
}

func parseDev(r io.Reader) ([]devItem, error) {
	var out []devItem
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var it devItem
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, sc.Err()
}

// CloseMargin is what FitCloseMargin gives on the development headlines,
// and the band it draws catches held-out days' mistakes as well as the
// training days': reported per news day, left out in turn.
func TestCloseMarginIsFitted(t *testing.T) {
	items := evaldata.Load(t, "topic/dev.jsonl", parseDev)
	c, err := topic.NewClassifier(nil)
	if err != nil {
		t.Fatal(err)
	}
	tp, _ := c.Topic(topic.DefaultName)
	scored := make([]Scored, len(items))
	for i, it := range items {
		r := tp.Classify(it.Title, it.Description)
		scored[i] = Scored{Score: r.Score, Threshold: tp.Threshold(), Right: r.Relevant == (it.Label == topic.LabelOn)}
	}
	fit := FitCloseMargin(scored)
	if math.Abs(fit-CloseMargin) > 1e-9 {
		t.Errorf("CloseMargin = %.2f, but the development headlines fit %.2f: update it", CloseMargin, fit)
	}
	inBand := func(idx []int, m float64) (errsIn, errs, in int) {
		for _, i := range idx {
			s := scored[i]
			close := math.Abs(s.Score-s.Threshold) < m
			if close {
				in++
			}
			if !s.Right {
				errs++
				if close {
					errsIn++
				}
			}
		}
		return
	}
	all := make([]int, len(items))
	for i := range all {
		all[i] = i
	}
	ei, e, in := inBand(all, fit)
	t.Logf("in-sample: margin %.2f; %d of %d teaser mistakes (%.0f%%) and %d of %d items (%.0f%%) are close calls",
		fit, ei, e, 100*float64(ei)/float64(max(e, 1)), in, len(items), 100*float64(in)/float64(len(items)))
	folds := evaldata.GroupFolds(len(items), func(i int) string { return evaldata.Day(items[i].Published) })
	var cei, ce, cin, cn int
	for _, f := range folds {
		train := make([]Scored, len(f.Train))
		for j, i := range f.Train {
			train[j] = scored[i]
		}
		ei, e, in := inBand(f.Test, FitCloseMargin(train))
		cei, ce, cin, cn = cei+ei, ce+e, cin+in, cn+len(f.Test)
	}
	t.Logf("leave-one-day-out (%d days): %d of %d held-out mistakes (%.0f%%) and %d of %d items (%.0f%%) are close calls",
		len(folds), cei, ce, 100*float64(cei)/float64(max(ce, 1)), cin, cn, 100*float64(cin)/float64(cn))
	if ce > 0 && 3*cei < ce {
		t.Errorf("the band catches only %d of %d held-out mistakes: the margin does not carry over between days", cei, ce)
	}
}

func TestLead(t *testing.T) {
	long := "w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w"
	tests := []struct{ text, want string }{
		{"One.\n\nTwo.", "One.\n\nTwo."},
		{long + "\n\nTwo.", long},
		{"One.\n\n" + long, "One."},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Lead(tt.text); got != tt.want {
			t.Errorf("Lead(%.20q) = %.20q, want %.20q", tt.text, got, tt.want)
		}
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		text string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"one two\n\nthree four", 15, "one two"},
		{"one two three", 9, "one two"},
		{"abcdéf", 5, "abcd"},
	}
	for _, tt := range tests {
		if got := clip(tt.text, tt.n); got != tt.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tt.text, tt.n, got, tt.want)
		}
	}
}
