package llm

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/summarize"
)

func TestCompare(t *testing.T) {
	en := readArticle(t, "article_en.txt")
	pairs := []summarize.Pair{
		{ID: "cnn-1", Source: "synthetic", Title: "Iran and US hold talks", Article: en, Reference: goodBrief},
		{ID: "cnn-2", Source: "synthetic", Title: "Netanyahu warns on deal", Article: en, Reference: "Netanyahu warned that a deal leaving Iran with enrichment would be bad."},
		{ID: "xsum-3", Source: "other", Title: "Enrichment cap offered", Article: en, Reference: "Tehran offered to cap enrichment at 3.67% if oil sanctions are lifted."},
	}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int64) {
		switch user := requestOf(r).Messages[1].Content; {
		case strings.Contains(user, "Iran and US hold talks"):
			reply(w, goodBrief)
		case strings.Contains(user, "Netanyahu warns"):
			reply(w, "Netanyahu warned in Geneva that a deal would be bad.") // Geneva: invented
		default:
			http.Error(w, "", http.StatusInternalServerError)
		}
	})
	s := newSummarizer(t, f, Options{}, Deps{})
	c, err := Compare(t.Context(), s, summarize.New(summarize.Options{}), pairs, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{Used: 1, ReasonUngrounded: 1, ReasonServerError: 1}
	if len(c.Outcomes) != len(want) {
		t.Errorf("outcomes %v, want %v", c.Outcomes, want)
	}
	for k, n := range want {
		if c.Outcomes[k] != n {
			t.Errorf("outcomes %v, want %v", c.Outcomes, want)
		}
	}
	if c.LLM.Overall.N != 3 || c.Extractive.Overall.N != 3 {
		t.Errorf("pairs scored: llm %d, extractive %d", c.LLM.Overall.N, c.Extractive.Overall.N)
	}
	// The model's brief of pair 1 is its reference: that pair scores 100,
	// so the llm rows beat extractive overall.
	if c.LLM.Overall.Briefbot.R1 <= c.Extractive.Overall.Briefbot.R1 {
		t.Errorf("llm R1 %.2f not above extractive %.2f, though one brief equals its reference", c.LLM.Overall.Briefbot.R1, c.Extractive.Overall.Briefbot.R1)
	}
	// Only pair 1 came from the model: it is scored apart, and one brief
	// in three is far below the share a check needs.
	if c.Model.Overall.N != 1 || c.ModelExtractive.Overall.N != 1 {
		t.Errorf("model-only rows score %d (extractive %d) pairs, want the 1 the model answered", c.Model.Overall.N, c.ModelExtractive.Overall.N)
	}
	if used, total := c.Used(); used != 1 || total != 3 {
		t.Errorf("Used() = %d of %d, want 1 of 3", used, total)
	}
	if m := c.Misses(); len(m) == 0 || !strings.Contains(m[0], "model briefs used: 1 of 3") {
		t.Errorf("Misses() = %q, want the model share named first", m)
	}
	var out bytes.Buffer
	if err := c.WriteText(&out, "test-model"); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"extractive", "llm (test-model)", "lead-3", "kind: CNN/DailyMail", "source: synthetic", "model briefs used: 1 of 3; fallbacks:", "model's own briefs only"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("report lacks %q:\n%s", w, out.String())
		}
	}
}

// A dead model server must not pass a check: every brief falls back to
// the extractive summary, which alone could meet the targets.
func TestCompareDeadServerMisses(t *testing.T) {
	en := readArticle(t, "article_en.txt")
	pairs := []summarize.Pair{
		{ID: "cnn-1", Source: "synthetic", Title: "Iran and US hold talks", Article: en, Reference: goodBrief},
		{ID: "cnn-2", Source: "synthetic", Title: "Talks in Oman", Article: en, Reference: goodBrief},
	}
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int64) {
		http.Error(w, "", http.StatusBadGateway)
	})
	s := newSummarizer(t, f, Options{}, Deps{})
	c, err := Compare(t.Context(), s, summarize.New(summarize.Options{}), pairs, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Model.Overall.N != 0 {
		t.Errorf("model-only rows score %d pairs, want 0", c.Model.Overall.N)
	}
	m := c.Misses()
	if len(m) != 1 || !strings.Contains(m[0], "model briefs used: 0 of 2") {
		t.Errorf("Misses() = %q, want one miss naming 0 of 2 model briefs", m)
	}
}
