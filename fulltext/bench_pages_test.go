package fulltext

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/article"
	"github.com/briefbot/briefbot/internal/evaldata"
	"github.com/briefbot/briefbot/story"
	"github.com/briefbot/briefbot/summarize"
	"github.com/briefbot/briefbot/topic"
)

// On the benchmark's 181 real article pages, each taken as the item's own
// page (its headline the page's title): how often the not-the-article
// checks wrongly refuse a real article, and how many teaser close calls
// the lead paragraphs settle (teaser: the body's first sentence).
func TestBenchmarkPages(t *testing.T) {
	dir := filepath.Dir(evaldata.Require(t, "extraction/ground-truth.json"))
	pages, err := article.LoadBenchmark(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := topic.NewClassifier(nil)
	if err != nil {
		t.Fatal(err)
	}
	tp, _ := c.Topic(topic.DefaultName)
	refused := map[string]int{}
	var extracted, close, settled, flipped int
	for _, p := range pages {
		u, _ := url.Parse(p.URL)
		a, err := article.Extract(p.HTML, "text/html; charset=utf-8", u)
		if err != nil {
			continue
		}
		extracted++
		it := story.Item{Link: p.URL, Title: a.Title}
		if reason := checkPage(it, p.URL, p.HTML, a); reason != "" {
			refused[reason]++
			t.Logf("refused (%s): %s", reason, p.URL)
		}

		sents := summarize.SplitSentences(strings.SplitN(p.Body, "\n", 2)[0])
		if len(sents) == 0 {
			continue
		}
		before := tp.Classify(a.Title, sents[0])
		if !IsClose(before.Score, tp.Threshold()) {
			continue
		}
		close++
		after := tp.Classify(a.Title, Lead(p.Body))
		if !IsClose(after.Score, tp.Threshold()) {
			settled++
		}
		if after.Relevant != before.Relevant {
			flipped++
			t.Logf("flipped to relevant=%v (%.2f → %.2f): %q", after.Relevant, before.Score, after.Score, a.Title)
		}
	}
	n := 0
	for _, k := range refused {
		n += k
	}
	t.Logf("%d of %d real articles refused as not the article: %v", n, extracted, refused)
	t.Logf("close calls on the teaser: %d of %d pages; the lead settles %d (out of the band), flips %d", close, extracted, settled, flipped)
	// Real articles are what the checks must let through: a refusal rate
	// above one in twenty would cost more summaries than walls save.
	if 20*n > extracted {
		t.Errorf("%d of %d real articles refused", n, extracted)
	}
}
