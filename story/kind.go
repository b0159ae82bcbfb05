package story

import "strings"

// Kind is what a headline says an item is: a report of a happening, or a
// piece about one (an explainer, a live page, a gallery, a reaction). A
// story is headed by a report, and joins are judged against its reports,
// so a piece written around the event cannot pull the story toward its
// own wording.
type Kind int

const (
	// KindReport is a report whose main subject is the happening.
	KindReport Kind = iota
	// KindLive is a live page or rolling briefing.
	KindLive
	// KindExplainer is a question headline, "what we know", "what to
	// expect": background built on the happening.
	KindExplainer
	// KindAnalysis is analysis or opinion.
	KindAnalysis
	// KindMedia is a video, photo gallery or map.
	KindMedia
	// KindReaction is another actor's response to the happening.
	KindReaction
)

var kindNames = [...]string{"report", "live page", "explainer", "analysis", "media", "reaction"}

func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "unknown"
	}
	return kindNames[k]
}

// Headline forms, by kind. Each entry is a general form that outlets use
// for that kind of piece, matched on the folded, lowercase headline.
var (
	// labels an outlet puts before a colon or a pipe
	kindLabels = map[string]Kind{
		"live": KindLive, "live updates": KindLive, "live blog": KindLive, "as it happened": KindLive,
		"video": KindMedia, "watch": KindMedia, "photos": KindMedia, "in pictures": KindMedia, "in photos": KindMedia,
		"pictures": KindMedia, "map": KindMedia, "maps": KindMedia, "gallery": KindMedia,
		"analysis": KindAnalysis, "opinion": KindAnalysis, "comment": KindAnalysis, "editorial": KindAnalysis,
		"explainer": KindExplainer, "explained": KindExplainer, "q&a": KindExplainer, "factbox": KindExplainer,
	}
	// phrases anywhere in the headline
	kindPhrases = []struct {
		phrase string
		kind   Kind
	}{
		// live pages and rolling briefings
		{"live updates", KindLive}, {"live tracker", KindLive}, {"live blog", KindLive}, {"briefing", KindLive},
		// explainers and previews
		{"what we know", KindExplainer}, {"everything we know", KindExplainer}, {"what to know", KindExplainer},
		{"what to expect", KindExplainer}, {"what happens next", KindExplainer}, {"explained", KindExplainer},
		// media pieces
		{"videos show", KindMedia}, {"video shows", KindMedia}, {"in pictures", KindMedia}, {"footage shows", KindMedia},
	}
	// first words of a question headline
	questionWords = setOf(`why how what who whom which will would can could is are was has have had should does do did where when`)
	// verbs of another actor answering the happening
	reactionWords = setOf(`condemn condemns condemned condemnation denounce denounces denounced welcome welcomes welcomed
hail hails hailed slam slams slammed react reacts reacted reaction reactions`)
)

// KindOf classifies a headline.
func KindOf(title string) Kind {
	t := strings.ToLower(strings.TrimSpace(fold(title)))
	for _, sep := range []string{":", "|"} {
		if i := strings.Index(t, sep); i > 0 && i <= 20 {
			if k, ok := kindLabels[strings.TrimSpace(t[:i])]; ok {
				return k
			}
		}
	}
	for _, p := range kindPhrases {
		if strings.Contains(t, p.phrase) {
			return p.kind
		}
	}
	ws := words(title)
	if len(ws) == 0 {
		return KindReport
	}
	if strings.HasSuffix(strings.TrimRight(t, `'"`), "?") || questionWords[ws[0].norm] && strings.Contains(t, "?") {
		return KindExplainer
	}
	for _, w := range ws {
		if reactionWords[w.norm] {
			return KindReaction
		}
	}
	return KindReport
}
