package summarize

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSummarizeLimits(t *testing.T) {
	article := readFixture(t, "article.txt")
	tests := []struct {
		name string
		opts Options
		maxS int
		maxW int
	}{
		{"defaults", Options{}, DefaultMaxSentences, DefaultMaxWords},
		{"two sentences", Options{MaxSentences: 2}, 2, DefaultMaxWords},
		{"forty words", Options{MaxWords: 40}, DefaultMaxSentences, 40},
		{"one short sentence", Options{MaxSentences: 1, MaxWords: 30}, 1, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(tt.opts).SummarizeText("", article)
			if len(s.Sentences) == 0 || len(s.Sentences) > tt.maxS {
				t.Errorf("got %d sentences, want 1..%d: %q", len(s.Sentences), tt.maxS, s.Sentences)
			}
			if s.Words() > tt.maxW {
				t.Errorf("got %d words, want at most %d: %q", s.Words(), tt.maxW, s.Text)
			}
			if s.Text != strings.Join(s.Sentences, " ") {
				t.Errorf("Text %q is not the joined Sentences %q", s.Text, s.Sentences)
			}
		})
	}
}

func TestSummarizeOrderAndFaithfulness(t *testing.T) {
	article := readFixture(t, "article.txt")
	cleaned := Clean(article)
	s := New(Options{}).SummarizeText("Iran and Europe agree to resume nuclear talks", article)
	last := -1
	for _, sent := range s.Sentences {
		i := strings.Index(cleaned, sent)
		if i < 0 {
			t.Fatalf("summary sentence %q is not in the cleaned article", sent)
		}
		if i <= last {
			t.Errorf("summary sentences are not in article order: %q", s.Sentences)
		}
		last = i
	}
	// The lead carries the news: who agreed to what.
	if !strings.Contains(s.Text, "agreed on Tuesday to resume talks") {
		t.Errorf("summary misses the lead sentence: %q", s.Text)
	}
	if strings.Contains(s.Text, "(Reuters)") {
		t.Errorf("dateline reached the summary: %q", s.Text)
	}
}

func TestSummarizeBoilerplateNeverReachesSummary(t *testing.T) {
	article := readFixture(t, "article.txt")
	for _, opts := range []Options{{}, {MaxSentences: 10, MaxWords: 1000}} {
		s := New(opts).SummarizeText("", article)
		for _, bad := range []string{"Sign up", "newsletter", "Follow us", "Reporting by", "Photo:", "AP Photo"} {
			if strings.Contains(s.Text, bad) {
				t.Errorf("opts %+v: boilerplate %q in summary %q", opts, bad, s.Text)
			}
		}
	}
}

func TestSummarizeTeaser(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"teaser is its own summary",
			"TEHRAN (Reuters) - Iran and the IAEA agreed to restore inspections. The deal covers two sites. Read more: What the deal means",
			"Iran and the IAEA agreed to restore inspections. The deal covers two sites."},
		{"html teaser", "<p>Talks resume in Vienna on Monday.</p><p>Click here to subscribe.</p>", "Talks resume in Vienna on Monday."},
		{"boilerplate only", "Share\nTweet\nSubscribe to our newsletter.", ""},
		{"teaser over the word cap is cut at a sentence", "Talks resumed in Vienna on Monday. Diplomats " + strings.Repeat("spoke ", 80) + "late.",
			"Talks resumed in Vienna on Monday."},
		{"long teaser keeps its lead", "Talks resumed in Vienna on Monday after a pause of several months. " + strings.Repeat("Diplomats said the sessions would run late into the night for a week at least. ", 5),
			"Talks resumed in Vienna on Monday after a pause of several months. Diplomats said the sessions would run late into the night for a week at least."},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := New(Options{}).SummarizeText("", tt.text).Text; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSummarizeShortTextKeepsSentenceCap(t *testing.T) {
	text := "Talks resumed. Envoys met. Oil fell. Stocks rose. Gold slipped."
	s := New(Options{}).SummarizeText("", text)
	if len(s.Sentences) != DefaultMaxSentences {
		t.Errorf("got %d sentences, want %d: %q", len(s.Sentences), DefaultMaxSentences, s.Sentences)
	}
}

func TestSummarizeLongSentenceIsCut(t *testing.T) {
	long := "The minister said " + strings.Repeat("that the talks would continue and ", 30) + "end soon."
	s := New(Options{MaxWords: 20}).SummarizeText("", long)
	if s.Words() > 20 {
		t.Errorf("got %d words, want at most 20: %q", s.Words(), s.Text)
	}
	if !strings.HasPrefix(s.Text, "The minister said that") || !strings.HasSuffix(s.Text, "…") {
		t.Errorf("want the sentence cut at a word boundary with an ellipsis, got %q", s.Text)
	}
}

func TestSummarizeRespectsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New(Options{}).Summarize(ctx, Article{Text: "Talks resumed."})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestLead(t *testing.T) {
	text := "One. Two. Three. Four."
	if got := Lead(text, 3); got != "One. Two. Three." {
		t.Errorf("Lead = %q", got)
	}
	if got := Lead("Only one.", 3); got != "Only one." {
		t.Errorf("Lead = %q", got)
	}
}
