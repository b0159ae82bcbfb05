package llm

import (
	"strings"
	"testing"
	"time"
)

func TestParseAnswer(t *testing.T) {
	for _, tc := range []struct {
		name, raw      string
		translate      bool
		summary, title string
	}{
		{"plain", "Iran and Oman met. They talked.", false, "Iran and Oman met. They talked.", ""},
		{"preamble", "Here is a two-sentence brief:\n\nIran and Oman met.", false, "Iran and Oman met.", ""},
		{"label", "Summary: Iran and Oman met.", false, "Iran and Oman met.", ""},
		{"bold label", "**Summary:** Iran and Oman met.", false, "Iran and Oman met.", ""},
		{"wrapping quotes", "\"Iran and Oman met.\"", false, "Iran and Oman met.", ""},
		{"inner quotes stay", "Iran said \"talks\" went well and \"useful\".", false, "Iran said \"talks\" went well and \"useful\".", ""},
		{"reasoning removed", "<think>The article says...</think>\nIran and Oman met.", false, "Iran and Oman met.", ""},
		{"unfinished reasoning", "<think>The article says Iran", false, "", ""},
		{"lines joined", "Iran and Oman met\non Saturday.", false, "Iran and Oman met on Saturday.", ""},
		{"translation", "Title: Talks in Muscat\nSummary: Iran and Oman met.", true, "Iran and Oman met.", "Talks in Muscat"},
		{"translation, headline label", "Headline: \"Talks in Muscat\"\n\nSummary:\nIran and Oman met.", true, "Iran and Oman met.", "Talks in Muscat"},
		{"title ignored unless translating", "Title: Talks\nSummary: Iran and Oman met.", false, "Iran and Oman met.", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, title := parseAnswer(tc.raw, tc.translate)
			if s != tc.summary || title != tc.title {
				t.Errorf("parseAnswer(%q) = %q, %q; want %q, %q", tc.raw, s, title, tc.summary, tc.title)
			}
		})
	}
}

func TestApproxTokens(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want int
	}{
		{"", 0},
		{"abcd", 1},
		{"abcde", 2},
		{strings.Repeat("word ", 100), 125},
		{"سلام", 2},
	} {
		if got := approxTokens(tc.s); got != tc.want {
			t.Errorf("approxTokens(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
}

func TestCutToTokens(t *testing.T) {
	text := "First sentence is here. Second sentence follows it.\nA third one, in a new paragraph, is longer than the others."
	for _, tc := range []struct {
		budget int
		want   string
	}{
		{0, text},
		{1000, text},
		{14, "First sentence is here. Second sentence follows it."},
		{8, "First sentence is here."},
		// Less than half would remain at a sentence end: cut at a word.
		{3, "First"},
	} {
		got := cutToTokens(text, tc.budget)
		if got != tc.want {
			t.Errorf("cutToTokens(budget %d) = %q, want %q", tc.budget, got, tc.want)
		}
		if tc.budget > 0 && approxTokens(got) > tc.budget {
			t.Errorf("cutToTokens(budget %d) kept %d tokens", tc.budget, approxTokens(got))
		}
	}
	// The article in the request is cut to the budget from the top.
	long := strings.Repeat("Iran and Oman held talks in Muscat on Saturday. ", 500)
	p := buildPrompt("Title", long, 75, 100, false, "")
	if n := approxTokens(p.source[1]); n > 100 || n < 50 {
		t.Errorf("article cut to %d tokens with a budget of 100", n)
	}
	if !strings.HasPrefix(long, p.source[1]) || !strings.Contains(p.user, p.source[1]) || !strings.Contains(p.system, "at most 75 words") {
		t.Error("the prompt does not carry the top of the article and the word limit")
	}
}

func TestBudget(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	b := newBudget(3, time.Minute)
	steps := []struct {
		at   time.Duration
		want bool
	}{
		{0, true}, {time.Second, true}, {2 * time.Second, true},
		{3 * time.Second, false},  // three in the last minute
		{59 * time.Second, false}, // the first is not yet a minute old
		{time.Minute, true},       // now it is
		{time.Minute + 500*time.Millisecond, false},
		{time.Minute + time.Second, true},   // the second is a minute old
		{time.Minute + 2*time.Second, true}, // and the third
		{time.Minute + 3*time.Second, false},
	}
	for _, s := range steps {
		if got := b.allow(t0.Add(s.at)); got != s.want {
			t.Errorf("allow at +%s = %v, want %v", s.at, got, s.want)
		}
	}
	var unlimited *budget
	for range 1000 {
		if !unlimited.allow(t0) {
			t.Fatal("a nil budget refused")
		}
	}
}
