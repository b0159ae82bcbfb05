package story

import "testing"

func TestBestItem(t *testing.T) {
	items := []ClusterItem{
		{Title: "Trump speaks by phone with Erdogan about Syria", Text: "The leaders discussed Syria and trade.", Published: at(3)},
		{Title: "Erdogan and Trump discuss Syria ceasefire in phone call", Text: "Turkey's president told Trump the ceasefire in Syria must hold.", Published: at(1)},
		{Title: "Turkish lira rallies after leaders' call", Text: "Markets rose in Istanbul.", Published: at(2)},
		{Title: "Trump and Erdogan talk Syria ceasefire by phone", Text: "The call focused on the Syria ceasefire, Ankara said.", Published: at(4)},
	}
	if got := BestItem(items); got != 1 && got != 3 {
		t.Errorf("BestItem = %d (%q); want one of the two central reports", got, items[got].Title)
	}
	if got := BestItem(items[2:3]); got != 0 {
		t.Errorf("BestItem of one item = %d, want 0", got)
	}
	if got := BestItem(nil); got != -1 {
		t.Errorf("BestItem(nil) = %d, want -1", got)
	}
	// The incident in the issue: a report that the cabinet vote was
	// delayed heads the story, not the explainer most like the rest.
	vote := []ClusterItem{
		{Title: "Israeli cabinet to vote on Gaza ceasefire deal", Text: "Israel's cabinet will vote on the Gaza ceasefire and hostage deal on Thursday.", Published: at(1)},
		{Title: "How the Gaza ceasefire deal was reached: what we know", Text: "The Gaza ceasefire and hostage deal, the vote in Israel's cabinet and what comes next.", Published: at(2)},
		{Title: "Why was Israel's cabinet vote on the Gaza ceasefire deal delayed?", Text: "Israel's cabinet vote on the Gaza ceasefire and hostage deal was put off.", Published: at(3)},
		{Title: "Live: Israel's cabinet vote on Gaza ceasefire deal", Text: "Israel's cabinet vote on the Gaza ceasefire deal, hostage releases.", Published: at(4)},
	}
	if got := BestItem(vote); got != 0 {
		t.Errorf("BestItem = %d (%q); want the report (0), not an explainer or live page", got, vote[got].Title)
	}
	if got := BestItem(vote[1:]); got < 0 {
		t.Errorf("BestItem of pieces only = %d; want one of them", got)
	}
	// Equal items: the earliest wins.
	same := []ClusterItem{{Title: "Same", Published: at(2)}, {Title: "Same", Published: at(1)}}
	if got := BestItem(same); got != 1 {
		t.Errorf("BestItem of equal items = %d, want the earlier (1)", got)
	}
}

func TestAgreementScores(t *testing.T) {
	texts := []string{
		"Egypt and Qatar proposed a new ceasefire plan for Gaza on Monday. The plan includes a hostage exchange.",
		"A new Gaza ceasefire plan was proposed by Qatar and Egypt. Hamas said it would study it.",
		"Qatar and Egypt put forward a Gaza ceasefire proposal. Israel has not responded.",
	}
	sentences := []string{
		"Egypt and Qatar proposed a new ceasefire plan for Gaza on Monday.",
		"The plan includes a hostage exchange.",
		"The the of.",
	}
	got := AgreementScores(sentences, texts)
	if len(got) != len(sentences) {
		t.Fatalf("%d scores for %d sentences", len(got), len(sentences))
	}
	if !(got[0] > got[1]) {
		t.Errorf("the sentence all three outlets carry scores %.2f, not above the one only its own outlet carries (%.2f)", got[0], got[1])
	}
	if got[0] > 3 || got[1] < 1 {
		t.Errorf("scores %v: a sentence scores at least 1 from its own text and at most one per text", got)
	}
	if got[2] != 0 {
		t.Errorf("a sentence of stop words scores %v, want 0", got[2])
	}
}
