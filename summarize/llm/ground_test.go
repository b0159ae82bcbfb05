package llm

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/summarize"
)

func TestUngrounded(t *testing.T) {
	en := readArticle(t, "article_en.txt")
	fa := readArticle(t, "article_fa.txt")
	const modal = "Officials may meet again in Vienna, Iran's envoy said on Tuesday, Sept. 9."
	for _, tc := range []struct {
		name, source, summary string
		want                  []string // ungrounded terms, in order
	}{
		{"faithful", en, goodBrief, nil},
		{"U.S. for United States", en, "The U.S. and Iran met in Muscat, officials said.", nil},
		{"United States for U.S.", en, "The delegation of the United States was led by Steve Witkoff.", nil},
		{"US in capitals", en, "The US delegation was led by special envoy Steve Witkoff.", nil},
		{"hyphenated", en, "The U.S.-Iran talks in Muscat were difficult but useful, Araghchi said.", nil},
		{"possessive", en, "Iran's stockpile grew to 408 kilograms, the agency said.", nil},
		{"acronym of a phrase", en, "The IAEA said Iran's stockpile of uranium enriched to 60% had grown.", nil},
		{"demonym for country", en, "Israeli Prime Minister Benjamin Netanyahu warned against a deal.", nil},
		{"country for demonym", en, "The talks were held in Oman.", nil},
		{"percent and decimal", en, "Tehran would cap enrichment at 3.67% if oil sanctions are lifted.", nil},
		{"number word", en, "Both sides will meet within two weeks.", nil},
		{"number word for digits", en, "Both sides will meet within 2 weeks.", nil},
		{"weekday", en, "Netanyahu warned on Friday that a deal would be bad.", nil},
		{"lower-case words are not names", en, "Talks resumed after a pause, officials said.", nil},
		{"opening word of a quote", en, `Araghchi called the talks "Difficult but useful".`, nil},

		{"invented person", en, "Iran and the United States met in Muscat, U.S. Secretary of State Marco Rubio said.", []string{"Secretary", "Marco", "Rubio"}},
		{"invented speaker opening a sentence", en, "Rubio said the talks had failed.", []string{"Rubio"}},
		{"invented possessive opener", en, "Germany's envoy joined the talks.", []string{"Germany"}},
		{"invented place", en, "The talks were held in Geneva.", []string{"Geneva"}},
		{"invented number", en, "The stockpile grew to 1,200 kilograms.", []string{"1,200"}},
		{"invented number word", en, "Both sides will meet within three weeks.", []string{"three"}},
		{"invented weekday", en, "Netanyahu spoke on Sunday.", []string{"Sunday"}},
		{"invented month", en, "The IAEA report came out in May.", []string{"May"}},
		{"invented acronym", en, "The IRGC said the talks were useful.", []string{"IRGC"}},
		{"pronoun us is not the US", "They told us the talks went well.", "The US said the talks went well.", []string{"US"}},
		{"each invented term once", en, "Rubio met Rubio in Geneva and Geneva.", []string{"Rubio", "Geneva"}},

		{"modal may is not the month", modal, "Iran's envoy said officials would meet in May.", []string{"May"}},
		{"month abbreviation", modal, "Iran's envoy spoke on Tuesday, September 9, about meeting in Vienna.", nil},

		// An article in another script: names cannot be matched by
		// spelling, numbers can (Persian digits included).
		{"Persian, faithful", fa, "Iran's foreign minister Abbas Araghchi said both sides would meet within 2 weeks.", nil},
		{"Persian, invented number", fa, "Araghchi said both sides would meet within 3 weeks.", []string{"3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ungrounded(tc.summary, newEvidence(tc.source))
			if !slices.Equal(got, tc.want) {
				t.Errorf("ungrounded(%q) = %q, want %q", tc.summary, got, tc.want)
			}
		})
	}
}

func TestNormNumber(t *testing.T) {
	for in, want := range map[string]string{"1,200": "1200", "1,200.5": "1200.5", "007": "7", "0.5": "0.5", "3,5": "3.5", "2025": "2025", "0": "0"} {
		if got := normNumber(in); got != want {
			t.Errorf("normNumber(%q) = %q, want %q", in, got, want)
		}
	}
	if got := asciiDigits("۱۴۰۳ و ٣٫٥"); got != "1403 و 3.5" {
		t.Errorf("asciiDigits = %q", got)
	}
}

func TestIsEnglish(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{goodBrief, true},
		{"Iran, U.S. meet in Oman", true},
		{"Erdoğan said Türkiye would host the next round of talks.", true},
		{"L'Iran et les États-Unis ont tenu à Mascate un quatrième cycle de pourparlers indirects samedi.", false},
		{"Iran und die Vereinigten Staaten haben in Maskat eine vierte Runde indirekter Gespräche geführt.", false},
		{"عراقچی گفت گفتگوها دشوار اما مفید بود", false},
		{"", false},
	} {
		if got := isEnglish(tc.text); got != tc.want {
			t.Errorf("isEnglish(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
	if looksNonEnglish(readArticle(t, "article_en.txt")) {
		t.Error("the English article looks non-English")
	}
	if !looksNonEnglish(readArticle(t, "article_fa.txt")) {
		t.Error("the Persian article looks English")
	}
	fr := strings.Repeat("Le ministre a déclaré que les pourparlers avaient été difficiles mais utiles. ", 3)
	if !looksNonEnglish(fr) {
		t.Error("French text looks English")
	}
}

// Any sentence of the article, alone or with its neighbour, is grounded:
// the check never rejects a faithful copy.
func TestArticleSentencesAreGrounded(t *testing.T) {
	for _, name := range []string{"article_en.txt", "article_fa.txt"} {
		text := summarize.Clean(readArticle(t, name))
		ev := newEvidence(text)
		sents := summarize.SplitSentences(text)
		for i := range sents {
			for _, s := range []string{sents[i], strings.Join(sents[i:min(i+2, len(sents))], " ")} {
				if bad := ungrounded(s, ev); len(bad) > 0 {
					t.Errorf("%s: %q called ungrounded for %q", name, s, bad)
				}
			}
		}
	}
}

// BenchmarkCheck measures the checks one answer goes through, evidence
// building included: they run on every answer, cached ones too.
func BenchmarkCheck(b *testing.B) {
	data, err := os.ReadFile("testdata/article_en.txt")
	if err != nil {
		b.Fatal(err)
	}
	s := &Summarizer{opts: Options{}.withDefaults()}
	p := buildPrompt("Iran and US hold talks", summarize.Clean(string(data)), 75, DefaultMaxInputTokens, false, "")
	b.ReportAllocs()
	for b.Loop() {
		if reason, _ := s.check(goodBrief, "", false, p); reason != "" {
			b.Fatal(reason)
		}
	}
}
