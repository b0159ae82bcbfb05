package summarize

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"abbreviations", "Secretary of State Jane Roe arrived in the U.S. capital on Monday. She met Mr. Smith and Dr. Ali Vaez.",
			[]string{"Secretary of State Jane Roe arrived in the U.S. capital on Monday.", "She met Mr. Smith and Dr. Ali Vaez."}},
		{"U.N. before a name", "The U.N. Security Council voted 13-0. The U.S. abstained.",
			[]string{"The U.N. Security Council voted 13-0.", "The U.S. abstained."}},
		{"abbreviation ends sentence", "Negotiators flew back to the U.S. The talks will resume in May.",
			[]string{"Negotiators flew back to the U.S.", "The talks will resume in May."}},
		{"title and month", "Gen. Amir Hatami spoke on Jan. 3, 2020, in Tehran. Officials listened.",
			[]string{"Gen. Amir Hatami spoke on Jan. 3, 2020, in Tehran.", "Officials listened."}},
		{"decimals", "Oil rose 2.5% to $81.40 a barrel. Brent crude also gained 0.7 percent.",
			[]string{"Oil rose 2.5% to $81.40 a barrel.", "Brent crude also gained 0.7 percent."}},
		{"quote ends with period", `He called the talks "constructive." Negotiators meet again next week.`,
			[]string{`He called the talks "constructive."`, "Negotiators meet again next week."}},
		{"quoted speech", `"We will not negotiate under pressure," the minister said. "The ball is in their court."`,
			[]string{`"We will not negotiate under pressure," the minister said.`, `"The ball is in their court."`}},
		{"question in quote", `"Is there a deal?" she asked. Nobody answered.`,
			[]string{`"Is there a deal?" she asked.`, "Nobody answered."}},
		{"ellipsis", "Officials waited... Then the call came. He paused … and went on.",
			[]string{"Officials waited...", "Then the call came.", "He paused … and went on."}},
		{"initials", "John F. Kennedy Airport was closed. J. K. Rowling was not affected.",
			[]string{"John F. Kennedy Airport was closed.", "J. K. Rowling was not affected."}},
		{"a.m. and p.m.", "Talks began at 10 p.m. Tuesday in Vienna. They ended at 5 a.m. The ministers left.",
			[]string{"Talks began at 10 p.m. Tuesday in Vienna.", "They ended at 5 a.m.", "The ministers left."}},
		{"exclamation and question", "Is a deal close? Diplomats think so! Markets rallied.",
			[]string{"Is a deal close?", "Diplomats think so!", "Markets rallied."}},
		{"company and state abbreviations", "Acme Inc., a Texas firm, said profits rose. Rep. Jane Doe (D-Calif.) criticized the deal.",
			[]string{"Acme Inc., a Texas firm, said profits rose.", "Rep. Jane Doe (D-Calif.) criticized the deal."}},
		{"number abbreviation", "He moved into No. 10 Downing Street. It was 2019.",
			[]string{"He moved into No. 10 Downing Street.", "It was 2019."}},
		{"list numbers", "1. Rescue workers arrived. 2. Roads were closed.",
			[]string{"1. Rescue workers arrived.", "2. Roads were closed."}},
		{"lower case after period", "The figure, about 3 p.c. of output, is small. It may grow.",
			[]string{"The figure, about 3 p.c. of output, is small.", "It may grow."}},
		{"heading line", "Iran talks resume\nDiplomats gathered in Vienna on Monday.",
			[]string{"Iran talks resume", "Diplomats gathered in Vienna on Monday."}},
		{"hard-wrapped line", "Diplomats from six countries gathered in Vienna\non Monday to resume the talks.",
			[]string{"Diplomats from six countries gathered in Vienna\non Monday to resume the talks."}},
		{"tokenized text", "the talks were held in june . in an email , he said it was over . `` we are done , '' he added .",
			[]string{"the talks were held in june .", "in an email , he said it was over .", "`` we are done , '' he added ."}},
		{"url and dotted names", "Visit example.com for details. The U.S.-led coalition responded.",
			[]string{"Visit example.com for details.", "The U.S.-led coalition responded."}},
		{"empty", "   ", nil},
		{"no terminal punctuation", "Breaking news from Tehran", []string{"Breaking news from Tehran"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SplitSentences(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SplitSentences(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			for _, s := range got {
				if !strings.Contains(tt.in, s) {
					t.Errorf("sentence %q is not a substring of the input", s)
				}
			}
		})
	}
}
