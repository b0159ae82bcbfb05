package story

import (
	"slices"
	"testing"
)

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"U.S. and US envoys", []string{"usa", "and", "usa", "envoys"}},
		{"Let us talk", []string{"let", "us", "talk"}},
		{"Iran's FM: Qur'an", []string{"iran", "fm", "quran"}},
		{"Erdoğan’s visit to Türkiye", []string{"erdogan", "visit", "to", "turkiye"}},
		{"Israel-Hamas truce, 2025", []string{"israel", "hamas", "truce", "2025"}},
		{"", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, w := range words(tt.in) {
			got = append(got, w.norm)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("words(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTermKey(t *testing.T) {
	tests := map[string]string{
		"iranian":    "iran",
		"tehran":     "iran",
		"israelis":   "israel",
		"killed":     "kill",
		"killings":   "kill",
		"deaths":     "kill",
		"slaughters": "slaughter", // no longer a synonym: it was there for one item
		"talks":      "meet",
		"summit":     "meet",
		"programme":  "program",
		"defence":    "defens",
		"organised":  "organiz",
		"hamas":      "hamas",
		"crisis":     "crisis",
		"stopped":    "stop",
		"the":        "",
		"says":       "",
		"2025":       "",
		"a":          "",
	}
	for in, want := range tests {
		if got := termKey(in); got != want {
			t.Errorf("termKey(%q) = %q, want %q", in, got, want)
		}
	}
	// British and American spellings meet.
	for _, pair := range [][2]string{{"defence", "defense"}, {"centre", "center"}, {"colour", "color"}, {"normalisation", "normalization"}} {
		if a, b := termKey(pair[0]), termKey(pair[1]); a != b {
			t.Errorf("termKey(%q) = %q but termKey(%q) = %q", pair[0], a, pair[1], b)
		}
	}
}

func TestExtractNames(t *testing.T) {
	tests := []struct {
		name, title, text string
		want              []string
	}{
		{
			// Demonyms and capitals map to the state; a capital that starts a
			// sentence says nothing, so "Foreign" is not a name.
			name:  "capitals mid-sentence, demonyms and capitals",
			title: "Iranian minister meets Omani counterpart in Muscat",
			text:  "Foreign minister Abbas Araghchi held talks with Badr Albusaidi on Sunday.",
			want:  []string{"abbas", "albusaidi", "araghchi", "badr", "iran", "oman"},
		},
		{
			name:  "a Title Case headline's capitals count only where the lead agrees",
			title: "Leaders Gather in Cairo for Emergency Summit",
			text:  "Heads of Arab states met in Cairo on Tuesday.",
			want:  []string{"arab", "egypt"},
		},
		{
			name:  "acronyms are names, titles are not",
			title: "NATO chief warns President Putin",
			text:  "",
			want:  []string{"nato", "putin"},
		},
		{
			name:  "a dateline is not what the report is about",
			title: "Hungry crowds wait for food",
			text:  "TEHRAN – Crowds waited for hours near the crossing.",
			want:  nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := extract(tt.title, tt.text).names
			if len(got) == 0 {
				got = nil
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("names = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExtractWireHashes(t *testing.T) {
	a := extract("Oman hosts talks", "Omani mediators shuttled between the two delegations in Muscat on Saturday, officials said.")
	b := extract("OMAN HOSTS TALKS!", "Omani mediators shuttled between the two delegations in Muscat on Saturday — officials said.")
	c := extract("Talks open in Muscat", "Omani mediators shuttled between the two delegations in Muscat on Saturday, officials said.")
	short := extract("Watch", "Watch the video.")
	if a.wire != b.wire {
		t.Error("case and punctuation changed the wire hash")
	}
	if a.wire == c.wire || a.lead != c.lead {
		t.Error("a rewritten headline over the same lead: want a different full hash and the same lead hash")
	}
	if short.lead != 0 {
		t.Error("a short lead must not count as a wire copy by itself")
	}
	if extract("", "").wire != 0 || extract("...", "!!").wire != 0 {
		t.Error("text without words must have no wire hash")
	}
}

func TestLeadOf(t *testing.T) {
	long := "First sentence of the article is here. " +
		"Second sentence adds some detail that matters to the event and names a place. " +
		"Third sentence keeps going with background that the teaser would not carry at all. " +
		"Fourth sentence is more background. Fifth sentence is more background still, and so on, for a long while yet."
	lead := leadOf(long)
	if len(lead) > leadChars || lead[len(lead)-1] != '.' {
		t.Errorf("leadOf = %q: want at most %d bytes, ending at a sentence end", lead, leadChars)
	}
	if got := leadOf("Short teaser."); got != "Short teaser." {
		t.Errorf("leadOf(short) = %q", got)
	}
}
