package llm

import (
	"os"
	"testing"

	"github.com/briefbot/briefbot/internal/evaldata"
	"github.com/briefbot/briefbot/summarize"
)

// The grounding check must never reject text taken from the article: on
// the development set, every extractive summary passes it. (How often it
// rejects the human references, which often add outside facts, is logged
// for information.)
func TestGroundingAcceptsExtractiveSummariesOnDevSet(t *testing.T) {
	path := evaldata.Require(t, "summaries/dev.jsonl")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pairs, err := summarize.ReadPairs(f)
	if err != nil {
		t.Fatal(err)
	}
	ex := summarize.New(summarize.Options{})
	refs := 0
	for _, p := range pairs {
		sum, err := ex.Summarize(t.Context(), summarize.Article{Title: p.Title, Text: p.Article})
		if err != nil {
			t.Fatal(err)
		}
		pr := buildPrompt(p.Title, summarize.Clean(p.Article), summarize.DefaultMaxWords, DefaultMaxInputTokens, false, "")
		ev := newEvidence(pr.source...)
		if bad := ungrounded(sum.Text, ev); len(bad) > 0 {
			t.Errorf("pair %s: extractive summary called ungrounded for %q", p.ID, bad)
		}
		if len(ungrounded(p.Reference, ev)) > 0 {
			refs++
		}
	}
	t.Logf("%d pairs; %d human references name something the (cut) article does not", len(pairs), refs)
}
