package summarize

import (
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"reuters dateline", "TEHRAN (Reuters) - Iran said on Monday it would resume talks.",
			"Iran said on Monday it would resume talks."},
		{"cnn dateline with dashes", "(CNN) -- Talks resumed in Vienna on Tuesday.", "Talks resumed in Vienna on Tuesday."},
		{"cnn dateline glued", "(CNN)Talks resumed in Vienna on Tuesday.", "Talks resumed in Vienna on Tuesday."},
		{"place and cnn", "Washington (CNN)The State Department said little.", "The State Department said little."},
		{"ap dateline with country", "BEIRUT, Lebanon (AP) — Lebanon's parliament met on Friday.", "Lebanon's parliament met on Friday."},
		{"byline then dateline", "By JOHN SMITH, Associated Press\nBEIRUT (AP) — Lebanon's parliament met on Friday.",
			"Lebanon's parliament met on Friday."},
		{"inline byline and dateline", "By JOHN SMITH and JANE ROE, Associated Press BEIRUT (AP) — Lebanon's parliament met.",
			"Lebanon's parliament met."},
		{"byline line", "By Jane Roe, Middle East correspondent\nThe envoy arrived in Doha.", "The envoy arrived in Doha."},
		{"caps dateline", "GAZA CITY — Residents returned to the ruins on Sunday.", "Residents returned to the ruins on Sunday."},
		{"updated stamp", "Updated 14:03 GMT (22:03 HKT) March 3, 2015\nThe ministers met in Geneva.", "The ministers met in Geneva."},
		{"date lead", "March 10, 2015 . Today we look at the talks.", "Today we look at the talks."},
		{"not a dateline", "Iran (IRI) said the talks were over.", "Iran (IRI) said the talks were over."},
		{"trailer at end", "The envoy arrived in Doha on Monday. He met the emir. Subscribe to our newsletter for daily updates. Follow us on Twitter @example. Thank you!",
			"The envoy arrived in Doha on Monday. He met the emir."},
		{"post appeared first", "The envoy arrived in Doha.\nThe post Envoy arrives in Doha appeared first on Example News.",
			"The envoy arrived in Doha."},
		{"cookie notice", "We use cookies to improve your experience on our site. The envoy arrived in Doha.",
			"The envoy arrived in Doha."},
		{"paywall", "The envoy arrived in Doha. You have reached your limit of free articles. Subscribe now to continue reading.",
			"The envoy arrived in Doha."},
		{"read more line", "The envoy arrived in Doha.\nRead more: What the talks are about\nHe met the emir.",
			"The envoy arrived in Doha.\nHe met the emir."},
		{"click here", "The envoy arrived in Doha. Click here to watch the video. He met the emir.",
			"The envoy arrived in Doha. He met the emir."},
		{"photo caption line", "Photo: Foreign Ministry/AFP\nThe envoy arrived in Doha.", "The envoy arrived in Doha."},
		{"inline photo credit", "The envoy arrived in Doha (AP Photo/Jane Roe) on Monday.", "The envoy arrived in Doha on Monday."},
		{"image caption", "Image copyright Getty Images Image caption Protesters gathered outside\nThe envoy arrived in Doha.",
			"The envoy arrived in Doha."},
		{"share buttons", "Share this article\nFacebook Twitter Email\nThe envoy arrived in Doha.", "The envoy arrived in Doha."},
		{"reporting credit", "The envoy arrived in Doha. CNN's Jane Roe contributed to this report.", "The envoy arrived in Doha."},
		{"reuters credit", "The envoy arrived in Doha.\nReporting by Jane Roe; Editing by John Smith", "The envoy arrived in Doha."},
		{"donation appeal", "The envoy arrived in Doha. Please consider donating to support our independent journalism.",
			"The envoy arrived in Doha."},
		{"copyright", "The envoy arrived in Doha. ©2015 Example Media. All rights reserved.", "The envoy arrived in Doha."},
		{"editor's note", "Editor's note: Jane Roe is a fellow at a think tank. The opinions expressed in this commentary are hers. Sanctions rarely work.",
			"Sanctions rarely work."},
		{"inline heading", "The envoy arrived in Doha. Social media . He met the emir.", "The envoy arrived in Doha. He met the emir."},
		{"trailing link headline", "The envoy arrived in Doha. He met the emir. Qatar's role in the region explained .",
			"The envoy arrived in Doha. He met the emir."},
		{"html remnants", "<p>Iran &amp; the IAEA reached a deal.</p><p>Inspectors <b>return</b> next&nbsp;week.</p><script>var x=1;</script>",
			"Iran & the IAEA reached a deal.\nInspectors return next week."},
		{"keeps real content", "Police said they would follow up on the report. The newsletter reported the donation was used for schools. Thank you for your patience, the minister told reporters.",
			"Police said they would follow up on the report. The newsletter reported the donation was used for schools. Thank you for your patience, the minister told reporters."},
		{"read more mid-article keeps the rest", "The envoy arrived in Doha. Read more: Qatar explained . " + strings.Repeat("The talks went on for hours with no result. ", 12),
			"The envoy arrived in Doha. " + strings.TrimSpace(strings.Repeat("The talks went on for hours with no result. ", 12))},
		{"long text after an appeal is kept", "The envoy arrived in Doha. Sign up for our newsletter. " + strings.Repeat("The talks went on for hours with no result. ", 12),
			"The envoy arrived in Doha. " + strings.TrimSpace(strings.Repeat("The talks went on for hours with no result. ", 12))},
		{"empty", "", ""},
		{"only boilerplate", "Share\nTweet\nEmail", ""},
		// Boilerplate run into a sentence on one line, by class.
		{"glued reading time", "Listen · 5 min The envoy arrived in Doha.", "The envoy arrived in Doha."},
		{"glued minutes read", "The envoy arrived in Doha. 4 min read He met the emir.", "The envoy arrived in Doha. He met the emir."},
		{"glued byline with outlet", "By Jane Roe, Reuters The envoy arrived in Doha.", "The envoy arrived in Doha."},
		{"glued share bar", "The envoy arrived in Doha. Share this article Copy link He met the emir.", "The envoy arrived in Doha. He met the emir."},
		{"header lines above a dateline", "Share this page on social media\nJoin our channel for updates\nTEHRAN (Reuters) - The envoy arrived in Doha.", "The envoy arrived in Doha."},
		{"glued credits", "The envoy arrived in Doha. Writing by Jane Roe; Editing by John Smith He met the emir.", "The envoy arrived in Doha. He met the emir."},
		{"glued label", "Advertisement The envoy arrived in Doha.", "The envoy arrived in Doha."},
		{"glued pitch whose end is unknown goes whole", "The envoy arrived in Doha. Sign up for Daily Brief, our free newsletter He met the emir. " + strings.Repeat("The talks went on for hours with no result. ", 12),
			"The envoy arrived in Doha. " + strings.TrimSpace(strings.Repeat("The talks went on for hours with no result. ", 12))},
		{"furniture before a dateline", "Jane Roe in Jerusalem TEHRAN (Reuters) - The envoy arrived in Doha.", "The envoy arrived in Doha."},
		{"agency caption", "Smoke rises over the port. (Reuters) The envoy arrived in Doha.", "The envoy arrived in Doha."},
		{"staff credit line", "Jane Roe, BBC diplomatic correspondent\nThe envoy arrived in Doha.", "The envoy arrived in Doha."},
		{"consent", "The envoy arrived in Doha. Continued site use signifies consent.", "The envoy arrived in Doha."},
		{"copyright mid-line", "The envoy arrived in Doha. Content copyright © 2025 Example Media Network", "The envoy arrived in Doha."},
		// Real sentences that open like furniture stay whole.
		{"keeps sentences opening like furniture", "Top Gear will not be broadcast this Sunday. Left-leaning activists began scrambling. Twitter CEO Dick Costolo has admitted it. On Twitter, the tag trended. Published in Lancet, the study interviewed mothers. The SPLC now reports 72 chapters. Meanwhile, conservative columnist Ross Douthat fears the worst.",
			"Top Gear will not be broadcast this Sunday. Left-leaning activists began scrambling. Twitter CEO Dick Costolo has admitted it. On Twitter, the tag trended. Published in Lancet, the study interviewed mothers. The SPLC now reports 72 chapters. Meanwhile, conservative columnist Ross Douthat fears the worst."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Clean(tt.in); got != tt.want {
				t.Errorf("Clean(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}
