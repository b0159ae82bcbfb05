package topic

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// The headlines below were written for these tests, following the label
// definitions in ../shared/testdata/topic/LABELS.md; none comes from the
// evaluation data.

func TestDefaultOnTopic(t *testing.T) {
	tests := []struct {
		title, text string
		wantSubs    []string // each must be among the subtopics
	}{
		{"Oman hosts fifth round of Iran-US nuclear talks in Muscat", "", []string{"iran-nuclear", "gulf"}},
		{"Blinken lands in Cairo to push Gaza truce deal", "", []string{"gaza-ceasefire"}},
		{"Erdogan and Raisi discuss Gaza in phone call", "", []string{"turkey"}},
		{"Saudi Arabia and Iran agree to restore diplomatic ties in China-brokered deal", "", []string{"gulf"}},
		{"UN Security Council adopts resolution demanding Gaza ceasefire", "", []string{"un-security-council", "gaza-ceasefire"}},
		{"EU imposes new sanctions on Iranian drone makers", "", []string{"sanctions"}},
		{"Qatar says Hamas, Israel close to hostage release agreement", "", []string{"hostages", "gulf"}},
		{"Bahrain recalls ambassador from Israel", "", []string{"gulf"}},
		{"IAEA board censures Iran over lack of cooperation", "", []string{"iran-nuclear"}},
		{"Houthis free crew of seized ship after Omani mediation", "", []string{"yemen-red-sea"}},
		{"Syria's Sharaa meets Putin in Moscow", "", []string{"syria"}},
		{"Iraq summons Turkish envoy over deadly strike in Kurdistan", "", []string{"iraq", "turkey"}},
		{"Kuwait emir receives message from Iranian president", "", []string{"gulf"}},
		{"Macron urges Israel to halt Rafah offensive in call with Netanyahu", "", nil},
		{"Saudi normalization talks stall over Palestinian state", "", []string{"normalization"}},
		{"Jordan expels Israeli ambassador over Gaza war", "", nil},
		{"Israel, Iran exchange messages through Swiss channel", "Envoys in Bern passed a written message proposing a halt to strikes, officials said.", []string{"iran-israel"}},
		{"What we know so far", "Iran's foreign minister held talks in Muscat with the US envoy on Sunday, the first direct meeting on the nuclear file in years.", []string{"iran-nuclear"}},
	}
	d := Default()
	for _, tt := range tests {
		t.Run(tt.title, func(t *testing.T) {
			r := d.Classify(tt.title, tt.text)
			if !r.Relevant {
				t.Fatalf("not relevant: score %.2f, reasons %q", r.Score, r.Reasons)
			}
			for _, s := range tt.wantSubs {
				if !slices.Contains(r.Subtopics, s) {
					t.Errorf("subtopics %q lack %q", r.Subtopics, s)
				}
			}
			if !hasReasonPrefix(r.Reasons, "region: ") || !hasReasonPrefix(r.Reasons, "diplomacy: ") {
				t.Errorf("reasons %q should name the region and the diplomacy", r.Reasons)
			}
		})
	}
}

func TestDefaultNearMisses(t *testing.T) {
	tests := []struct {
		kind, title, text string
		wantReason        string // prefix of a reason that should explain it
	}{
		{"near_region", "Earthquake kills dozens in eastern Turkey", "", "not diplomacy: "},
		{"near_region", "Israeli air strike kills 12 in Khan Younis, medics say", "", "not diplomacy: "},
		{"near_region", "Iran's currency hits record low against dollar", "", "not diplomacy: "},
		{"near_region", "Saudi Arabia beats Argentina in World Cup shock", "", "not diplomacy: "},
		{"near_region", "Thousands protest in Tel Aviv demanding new elections", "", "not diplomacy: "},
		{"near_region", "Houthi missile hits cargo ship in Red Sea, crew injured", "", "not diplomacy: "},
		{"near_region", "Iranian rapper sentenced to death over protest songs", "", "not diplomacy: "},
		{"near_region", "Gaza ceasefire brings little relief to families searching rubble", "", "not diplomacy: "},
		{"near_region", "Saudi filmmaker talks about his debut feature at Cannes", "", "not diplomacy: "},
		{"near_region", "Hezbollah fires rockets at northern Israel after commander killed", "Israel said it intercepted most of the rockets; officials said talks were not on the agenda.", "not diplomacy: "},
		{"near_topic", "Zelenskyy meets Erdogan in Ankara to discuss Black Sea grain deal", "", "elsewhere: "},
		{"near_topic", "China and US resume trade talks in Geneva", "", "elsewhere: "},
		{"near_topic", "NATO foreign ministers meet in Brussels", "", "elsewhere: "},
		{"near_topic", "Armenia and Azerbaijan sign peace agreement at White House", "", "elsewhere: "},
		{"near_topic", "Putin and Xi pledge 'no limits' partnership at Beijing summit", "", "diplomacy: "},
		{"off", "Mexico sues Google over Gulf of America renaming", "", "excluded: "},
		{"off", "Floods kill 40 in southern Brazil", "", "not diplomacy: "},
		{"off", "Apple unveils new phone with satellite messaging", "", ""},
	}
	d := Default()
	for _, tt := range tests {
		t.Run(tt.kind+"/"+tt.title, func(t *testing.T) {
			r := d.Classify(tt.title, tt.text)
			if r.Relevant {
				t.Fatalf("relevant with score %.2f, reasons %q; want a near miss", r.Score, r.Reasons)
			}
			if len(r.Subtopics) != 0 {
				t.Errorf("subtopics %q on an irrelevant item", r.Subtopics)
			}
			if tt.wantReason != "" && !hasReasonPrefix(r.Reasons, tt.wantReason) {
				t.Errorf("reasons %q lack a %q reason", r.Reasons, tt.wantReason)
			}
		})
	}
}

// Variant spellings of the same names must give the same verdict and
// nearly the same score.
func TestDefaultSpellingVariants(t *testing.T) {
	groups := [][]string{
		{"Tehran rejects new talks offer from Washington", "Teheran rejects new talks offer from Washington"},
		{"Araghchi meets Saudi foreign minister in Riyadh", "Arakchi meets Saudi foreign minister in Riyadh", "Araqchi meets Saudi foreign minister in Riad"},
		{"Hezbollah accepts US ceasefire proposal for Lebanon", "Hizbullah accepts US ceasefire proposal for Lebanon", "Hizbollah accepts U.S. cease-fire proposal for Lebanon"},
		{"Houthis agree to Oman-mediated truce", "Huthis agree to Oman-mediated truce"},
		{"Qatar mediates new Gaza hostage deal", "Katar mediates new Gaza hostage deal"},
		{"Türkiye’s Erdoğan hosts Syria’s al-Sharaa for talks", "Turkey's Erdogan hosts Syria's al Sharaa for talks", "TURKEY'S ERDOGAN HOSTS SYRIA'S SHARAA FOR TALKS"},
		{"Pezeshkian speaks with Emir of Qatar by phone", "Pezeshkyan speaks with Emir of Katar by phone"},
	}
	d := Default()
	for _, g := range groups {
		base := d.Classify(g[0], "")
		if !base.Relevant {
			t.Errorf("%q: not relevant (score %.2f, reasons %q)", g[0], base.Score, base.Reasons)
		}
		for _, v := range g[1:] {
			r := d.Classify(v, "")
			if r.Relevant != base.Relevant || math.Abs(r.Score-base.Score) > 0.02 {
				t.Errorf("%q: relevant %v score %.2f; %q: relevant %v score %.2f; want the same", g[0], base.Relevant, base.Score, v, r.Relevant, r.Score)
			}
		}
	}
}

func TestDefaultReasonsAreReadable(t *testing.T) {
	r := Default().Classify("Teheran and Riyadh agree to restore ties after Chinese mediation", "")
	for _, want := range []string{"region: Iran (Teheran)", "region: Saudi Arabia (Riyadh)", "diplomacy: mediation"} {
		if !slices.Contains(r.Reasons, want) {
			t.Errorf("reasons %q lack %q", r.Reasons, want)
		}
	}
	if len(r.Reasons) > maxReasons {
		t.Errorf("%d reasons, want at most %d", len(r.Reasons), maxReasons)
	}
	for _, s := range r.Reasons {
		if s == "" || strings.ToLower(s) != s && !strings.Contains(s, ": ") {
			t.Errorf("odd reason %q", s)
		}
	}
}

// The headline decides: the same description reads differently under a
// battlefield headline and under a diplomatic one.
func TestDefaultHeadlineOutweighsDescription(t *testing.T) {
	const desc = "Mediators in Doha said ceasefire talks would resume next week."
	d := Default()
	war := d.Classify("Israeli strikes kill 30 in Gaza as hospitals run out of fuel", desc)
	talks := d.Classify("Gaza ceasefire talks to resume in Doha, mediators say", "Israeli strikes killed 30 people on Sunday.")
	if war.Relevant || !talks.Relevant || war.Score >= talks.Score {
		t.Errorf("battlefield headline %.2f (relevant %v), talks headline %.2f (relevant %v); want only the talks headline relevant",
			war.Score, war.Relevant, talks.Score, talks.Relevant)
	}
}

// Full text helps when the headline is vague, but passing mentions deep in
// a long article do not make it relevant.
func TestDefaultFullText(t *testing.T) {
	d := Default()
	vague := d.Classify("Five things to know this week", "")
	lead := "Iran and the United States held a second round of indirect talks in Muscat on Saturday, with Omani mediators shuttling between the delegations. "
	with := d.Classify("Five things to know this week", lead+strings.Repeat("Officials described the atmosphere as constructive. ", 15))
	if vague.Relevant || !with.Relevant {
		t.Errorf("vague headline alone %.2f, with diplomatic full text %.2f; want only the latter relevant", vague.Score, with.Score)
	}
	filler := strings.Repeat("The city council debated the new bus lanes and parking fees for an hour. ", 12)
	passing := d.Classify("Council approves bus lanes", filler+"One member mentioned Iran nuclear talks and Gaza ceasefire negotiations in passing. "+filler)
	if passing.Relevant {
		t.Errorf("passing mentions in a long local story scored %.2f, reasons %q; want not relevant", passing.Score, passing.Reasons)
	}
}

func TestDefaultScoreBounds(t *testing.T) {
	d := Default()
	inputs := [][2]string{
		{"", ""},
		{strings.Repeat("Iran Israel ceasefire talks sanctions envoy summit ", 200), strings.Repeat("negotiations mediation ", 500)},
		{strings.Repeat("killed strike bombing famine football ", 200), strings.Repeat("Ukraine NATO Alaska ", 300)},
		{"\x00\xff\xfe", "\u202e\u200b"},
	}
	for _, in := range inputs {
		r := d.Classify(in[0], in[1])
		if !(r.Score >= 0 && r.Score <= 1) {
			t.Errorf("score %v outside [0,1] for %.40q", r.Score, in[0])
		}
		if r.Relevant != (r.Score >= d.Threshold()) {
			t.Errorf("relevant %v disagrees with score %.2f at threshold %.2f", r.Relevant, r.Score, d.Threshold())
		}
	}
}

func hasReasonPrefix(reasons []string, prefix string) bool {
	for _, r := range reasons {
		if strings.HasPrefix(r, prefix) {
			return true
		}
	}
	return false
}
