package topic

import (
	"slices"
	"strings"
	"testing"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"lowercase and split", "Iran, Israel agree truce", []string{"iran", "israel", "agree", "truce"}},
		{"hyphens split", "Israel-Hamas cease-fire", []string{"israel", "hamas", "cease", "fire"}},
		{"possessive dropped", "Israel’s Netanyahu's plan", []string{"israel", "netanyahu", "plan"}},
		{"inner apostrophe joined", "Sana'a and Qur’an", []string{"sanaa", "and", "quran"}},
		{"diacritics folded", "Türkiye’s Erdoğan in Doha; Pezeškian", []string{"turkiye", "erdogan", "in", "doha", "pezeskian"}},
		{"letters without decomposition", "Øresund Straße ıslam", []string{"oresund", "strasse", "islam"}},
		{"dotted acronyms", "U.S. and U.N. envoys, U.A.E.", []string{"usa", "and", "un", "envoys", "uae"}},
		{"capital US is the country", "US envoy meets us", []string{"usa", "envoy", "meets", "us"}},
		{"initial is not an acronym", "J. Smith", []string{"j", "smith"}},
		{"digits kept", "Resolution 2231 in 2025", []string{"resolution", "2231", "in", "2025"}},
		{"non-Latin script becomes separators", "Iran ایران talks", []string{"iran", "talks"}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tokenize(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("tokenize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestStem(t *testing.T) {
	tests := []struct{ in, want string }{
		{"talks", "talk"},
		{"sanctions", "sanction"},
		{"houthis", "houthi"},
		{"saudis", "saudi"},
		{"israelis", "israeli"},
		{"allies", "ally"},
		{"crises", "crise"}, // consistent on both sides, which is all matching needs
		{"crisis", "crisis"},
		{"damascus", "damascus"},
		{"hamas", "hamas"},
		{"abbas", "abbas"},
		{"embassies", "embassy"},
		{"marches", "march"},
		{"pass", "pass"},
		{"gas", "gas"},
		{"tennis", "tennis"},
		{"iran", "iran"},
	}
	for _, tt := range tests {
		if got := stem(tt.in); got != tt.want {
			t.Errorf("stem(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitLead(t *testing.T) {
	short := "A teaser of one sentence. And another."
	if lead, body := splitLead(short); lead != short || body != "" {
		t.Errorf("short text split into %q / %q; want it all in the lead", lead, body)
	}
	long := ""
	for range 40 {
		long += "Diplomats met again in Doha today. "
	}
	lead, body := splitLead(long)
	if len(lead) < leadChars/2 || len(lead) > leadChars*2 {
		t.Errorf("lead has %d bytes, want about %d", len(lead), leadChars)
	}
	if lead[len(lead)-1] != '.' {
		t.Errorf("lead %q does not end at a sentence end", lead)
	}
	if lead+body != strings.TrimSpace(long) {
		t.Error("lead and body do not add up to the text")
	}
}

func TestCompileTermErrors(t *testing.T) {
	for _, term := range []string{"", "  ", "*", "--", "ne*gotiate", "ab*"} {
		if _, err := compileTerm(term); err == nil {
			t.Errorf("compileTerm(%q) succeeded; want an error", term)
		}
	}
	pats, err := compileTerm("Nuclear talk*")
	if err != nil {
		t.Fatal(err)
	}
	want := []pattern{{s: "nuclear"}, {s: "talk", prefix: true}}
	if !slices.Equal(pats, want) {
		t.Errorf("compileTerm = %v, want %v", pats, want)
	}
}

func TestMatcherFindsPhrasesWithinAZone(t *testing.T) {
	m := newMatcher()
	for i, term := range []string{"security council", "negotiat*", "gaza"} {
		pats, err := compileTerm(term)
		if err != nil {
			t.Fatal(err)
		}
		m.add(pats, i)
	}
	// "security" ends the title and "council" starts the lead: no phrase.
	d := newDoc("Gaza negotiators meet UN Security", "Council members")
	var got []int
	for _, h := range m.find(d, nil) {
		got = append(got, h.ref)
	}
	slices.Sort(got)
	if want := []int{1, 2}; !slices.Equal(got, want) {
		t.Errorf("refs found = %v, want %v", got, want)
	}
	d = newDoc("Security Council meets on Gaza", "")
	if hits := m.find(d, nil); len(hits) != 2 || hits[0].n != 2 {
		t.Errorf("hits = %+v, want the two-word phrase and gaza", hits)
	}
}

func TestStripDateline(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"TEHRAN – Iran's foreign minister met his Omani counterpart.", "Iran's foreign minister met his Omani counterpart."},
		{"TEHRAN- The talks resumed.", "The talks resumed."},
		{"GAZA CITY — Families returned home.", "Families returned home."},
		{"Iran - the talks resumed.", "Iran - the talks resumed."}, // not a dateline: lowercase before the dash
		{"UN - a vote is due.", "UN - a vote is due."},             // too short to be a place name
		{"No dateline here at all.", "No dateline here at all."},
		{"", ""},
	} {
		if got := stripDateline(tc.in); got != tc.want {
			t.Errorf("stripDateline(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
