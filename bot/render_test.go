package bot

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var published = time.Date(2025, 6, 1, 9, 30, 0, 0, time.UTC)

// words is deterministic filler text of n words.
func words(n, seed int) string {
	vocab := []string{"ministers", "talks", "resumed", "in", "Geneva", "after", "weeks", "of", "shuttle",
		"diplomacy", "with", "envoys", "from", "Oman", "and", "Qatar", "pressing", "for", "a", "framework",
		"on", "enrichment", "limits", "sanctions", "relief", "inspections", "the", "delegations", "said"}
	parts := make([]string, n)
	for i := range parts {
		parts[i] = vocab[(i*7+seed)%len(vocab)]
	}
	return strings.Join(parts, " ")
}

func storyCases() map[string]Briefing {
	var manyOutlets []OutletLink
	for i := range 40 {
		manyOutlets = append(manyOutlets, OutletLink{
			Name: fmt.Sprintf("Outlet %d %s", i, words(6, i)),
			Link: fmt.Sprintf("https://outlet%d.example.com/world/%s", i, strings.Repeat("segment/", 8)),
		})
	}
	var manySubtopics []string
	for i := range 30 {
		manySubtopics = append(manySubtopics, fmt.Sprintf("Subtopic %d %s", i, words(8, i)))
	}
	return map[string]Briefing{
		"story_basic": {
			Title: "Iran and E3 ministers meet in Geneva as nuclear talks resume",
			Link:  "https://news.example.com/world/iran-e3-geneva",
			Summary: "Foreign ministers from France, Germany and the United Kingdom met their Iranian counterpart in Geneva. " +
				"Both sides described the meeting as constructive and agreed to continue at the technical level next week.",
			Outlets: []OutletLink{
				{Name: "Example Wire", Link: "https://wire.example.com/iran-e3"},
				{Name: "Daily Example", Link: "https://daily.example.org/2025/06/01/geneva"},
			},
			Published: published,
			Subtopics: []string{"Nuclear talks", "E3 diplomacy"},
			Topic:     "Iran & Middle East diplomacy",
		},
		"story_hostile": {
			Title: "@everyone **BREAKING** <@123456789012345678> [click here](https://evil.example) `code` ||spoiler|| @Here",
			Link:  "javascript:alert(1)",
			Summary: "# Not a heading\n> not a quote\n- not a list\n-# not subtext\n12. not numbered\n" +
				"<@&222222222222222222> and <#333333333333333333> and </cmd:1> and <t:0:R> ping @here ~~strike~~ __under__ *em* \\ back\n\n\n\n" +
				"Bare link https://example.com/a_b_(c)?q=*x* stays clickable. [masked](https://evil.example/x) is not a link.\u202Egnirts\u0000",
			Outlets: []OutletLink{
				{Name: "Evil [Outlet](https://evil.example)", Link: "data:text/html,<script>alert(1)</script>"},
				{Name: "", Link: "https://user:pass@www.example.org/story?id=1&x=(y)"},
				{Name: "Spaced", Link: "https://good.example/a b"},
				{Name: "Spaced", Link: "https://good.example/a b"},
				{Name: "   ", Link: ""},
			},
			Published: published,
			Subtopics: []string{"@everyone", "*ceasefire*", "", "*ceasefire*"},
			Topic:     "<@&1> @everyone topic",
		},
		"story_long": {
			Title:     words(80, 1),
			Link:      "https://news.example.com/" + strings.Repeat("long-path/", 30),
			Summary:   words(1400, 2),
			Outlets:   manyOutlets,
			Published: published,
			Subtopics: manySubtopics,
			Topic:     words(60, 3),
		},
		"story_minimal": {},
		"story_translated": {
			Title:         "Foreign minister says talks in Muscat were difficult but useful",
			OriginalTitle: "وزیر خارجه: مذاکرات *مسقط* دشوار اما مفید بود",
			Link:          "https://news.example.ir/fa/muscat",
			Summary:       "Iran's foreign minister said the talks were difficult but useful.",
			Outlets:       []OutletLink{{Name: "Example Persian", Link: "https://news.example.ir/fa/muscat"}},
			Published:     published,
			Topic:         "Iran & Middle East diplomacy",
		},
		"story_unspaced": {
			Title:   strings.Repeat("伊朗与欧洲三国外长在日内瓦会晤", 20),
			Summary: strings.Repeat("🕊️外交谈判", 1000),
			Outlets: []OutletLink{{Name: "示例新闻", Link: "https://例子.example/新闻"}},
		},
	}
}

func digestCases() map[string][]*discordgo.MessageSend {
	basic := storyCases()["story_basic"]
	small := []DigestGroup{
		{Subtopic: "Nuclear talks", Stories: []Briefing{basic, {
			Title: "IAEA board to meet on inspections", Link: "https://news.example.com/iaea-board",
			Outlets: []OutletLink{{Name: "Example Wire"}}, Published: published.Add(-2 * time.Hour),
		}}},
		{Subtopic: "", Stories: []Briefing{{Title: "Oman hosts indirect talks _again_", Link: "ftp://example.com/x"}}},
		{Subtopic: "Empty group", Stories: nil},
	}
	var split []DigestGroup
	for g := range 3 {
		group := DigestGroup{Subtopic: fmt.Sprintf("Group %d", g)}
		for i := range 60 {
			group.Stories = append(group.Stories, Briefing{
				Title:     fmt.Sprintf("Story %d.%d %s", g, i, words(20, i)),
				Link:      fmt.Sprintf("https://news.example.com/%d/%d", g, i),
				Outlets:   []OutletLink{{Name: "Example Wire"}, {Name: "Daily Example"}},
				Published: published.Add(-time.Duration(i) * time.Minute),
			})
		}
		split = append(split, group)
	}
	return map[string][]*discordgo.MessageSend{
		"digest_small": DigestMessages("Morning digest — Iran & Middle East diplomacy", small),
		"digest_split": DigestMessages("Evening digest", split),
	}
}

func TestGolden(t *testing.T) {
	for name, b := range storyCases() {
		t.Run(name, func(t *testing.T) {
			m := StoryMessage(b)
			checkSafe(t, m)
			golden(t, name, m)
		})
	}
	for name, msgs := range digestCases() {
		t.Run(name, func(t *testing.T) {
			for _, m := range msgs {
				checkSafe(t, m)
			}
			golden(t, name, msgs)
		})
	}
}

func golden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep <t:…> readable; the JSON means the same
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test ./bot -run TestGolden -update to create it): %v", err)
	}
	if got := buf.Bytes(); !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			if i >= len(gl) || i >= len(wl) || gl[i] != wl[i] {
				t.Fatalf("%s differs from the rendering at line %d (run with -update if the change is intended)\n got: %.300s\nwant: %.300s",
					path, i+1, at(gl, i), at(wl, i))
			}
		}
	}
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "<end of file>"
}

func TestNoMentionsSerialisesAsEmptyParse(t *testing.T) {
	b, err := json.Marshal(StoryMessage(Briefing{Title: "t"}))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"allowed_mentions":{"parse":[]`)) {
		t.Fatalf("payload %s lacks allowed_mentions {\"parse\":[]}", b)
	}
	// The reason NoMentions builds a non-nil slice: nil goes out as null.
	nilParse, _ := json.Marshal(&discordgo.MessageAllowedMentions{})
	if !bytes.Contains(nilParse, []byte(`"parse":null`)) {
		t.Errorf("discordgo now sends a nil Parse as %s; revisit NoMentions", nilParse)
	}
	if err := CheckLimits(&discordgo.MessageSend{Content: "x", AllowedMentions: &discordgo.MessageAllowedMentions{}}); err == nil {
		t.Error("CheckLimits accepted allowed_mentions with a nil parse")
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		want  string
	}{
		{"fits", "short text", 20, "short text"},
		{"exactly", "abcde", 5, "abcde"},
		{"word boundary", "the quick brown fox jumps", 17, "the quick brown…"},
		{"no spaces", "abcdefghijklmnopqrstuvwxyz", 10, "abcdefghi…"},
		{"one long word after a short one", "a abcdefghijklmnopqrstuvwxyz", 10, "a abcdefg…"},
		{"code points not bytes", "ééééé ééééé", 8, "ééééé…"},
		{"dangling escape dropped", `abcdef \*ghi`, 9, "abcdef…"},
		{"escaped backslash kept", `abcdefg\\ hij`, 11, `abcdefg\\…`},
		{"limit one", "hello", 1, "…"},
		{"limit zero", "hello", 0, ""},
		{"trailing space before cut", "hello      world", 9, "hello…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := truncate(tt.in, tt.limit)
			if got != tt.want {
				t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > tt.limit {
				t.Errorf("result has %d code points, over %d", n, tt.limit)
			}
		})
	}
}

func TestEscapeMarkdown(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text, fine.", "plain text, fine."},
		{"**bold** _it_ __u__ ~~s~~ `c` ||sp||", `\*\*bold\*\* \_it\_ \_\_u\_\_ \~\~s\~\~ \` + "`c\\`" + ` \|\|sp\|\|`},
		{"[text](https://evil.example)", `\[text](https://evil.example)`},
		{`back\slash`, `back\\slash`},
		{"# h\n## h2\n> q\n>>> q3\n- l\n+ l\n-# sub\n3. n\n10) ok", "\\# h\n\\## h2\n\\> q\n\\>>> q3\n\\- l\n\\+ l\n\\-# sub\n3\\. n\n10) ok"},
		{"not # a heading - mid > line 4. x", "not # a heading - mid > line 4. x"},
		{"see https://example.com/a_b*c*_d for more", "see https://example.com/a_b*c*_d for more"},
		{"link https://example.com/x] then *", `link https://example.com/x] then \*`},
		{"HTTPS://EXAMPLE.COM/a_b", `HTTPS://EXAMPLE.COM/a\_b`},
	}
	for _, tt := range tests {
		if got := escapeMarkdown(tt.in); got != tt.want {
			t.Errorf("escapeMarkdown(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestNeutraliseMentions(t *testing.T) {
	tests := []struct{ in, want string }{
		{"@everyone look", "@\u200beveryone look"},
		{"hi @HERE", "hi @\u200bHERE"},
		{"<@123> <@!123> <@&456> <#789>", "<\u200b@123> <\u200b@!123> <\u200b@&456> <\u200b#789>"},
		{"</cmd:1> <:e:1> <a:e:1> <t:1:R>", "<\u200b/cmd:1> <\u200b:e:1> <\u200ba:e:1> <\u200bt:1:R>"},
		{"mail me at a@b.example, 3 < 4", "mail me at a@b.example, 3 < 4"},
	}
	for _, tt := range tests {
		if got := neutraliseMentions(tt.in); got != tt.want {
			t.Errorf("neutraliseMentions(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSafeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.com/a?b=c", "https://example.com/a?b=c"},
		{"  HTTP://Example.com/x  ", "http://Example.com/x"},
		{"https://example.com/a_(b)", "https://example.com/a_%28b%29"},
		{"https://example.com/a b", "https://example.com/a%20b"},
		{"https://user:pw@example.com/", "https://example.com/"},
		{"https://例子.example:8443/新闻", "https://xn--fsqu00a.example:8443/%E6%96%B0%E9%97%BB"},
		{"javascript:alert(1)", ""},
		{"data:text/html,x", ""},
		{"ftp://example.com/", ""},
		{"//example.com/relative", ""},
		{"/relative", ""},
		{"https://", ""},
		{"https://example.com/\x00", ""},
		{"https://example.com/" + strings.Repeat("a", 2100), ""},
	}
	for _, tt := range tests {
		if got := safeURL(tt.in); got != tt.want {
			t.Errorf("safeURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStoryEmbedOutletsOnceAndUpdated(t *testing.T) {
	b := Briefing{
		Title: "Israeli cabinet delays vote on Gaza ceasefire deal",
		Link:  "https://wire.example.com/vote-delayed",
		Outlets: []OutletLink{ // oldest first, as a story's sources are
			{Name: "Example Wire", Link: "https://wire.example.com/vote-scheduled"},
			{Name: "Daily Example", Link: "https://daily.example.org/vote"},
			{Name: "Example Wire", Link: "https://wire.example.com/vote-delayed"}, // heads the story
			{Name: "Daily Example", Link: "https://daily.example.org/explainer"},  // that outlet's newest
			{Name: "example wire", Link: "https://wire.example.com/live"},
		},
		Published: published,
		Updated:   published.Add(90 * time.Minute),
	}
	fields := map[string]string{}
	for _, f := range StoryEmbed(b).Fields {
		fields[f.Name] = f.Value
	}
	if want := "[Example Wire](https://wire.example.com/vote-delayed) · [Daily Example](https://daily.example.org/explainer)"; fields["Sources"] != want {
		t.Errorf("Sources = %q, want %q", fields["Sources"], want)
	}
	if want := fmt.Sprintf("<t:%d:f> (<t:%d:R>)\nupdated <t:%d:R>", published.Unix(), published.Unix(), published.Add(90*time.Minute).Unix()); fields["Published"] != want {
		t.Errorf("Published = %q, want %q", fields["Published"], want)
	}
	// Within a minute of the first report (one poll's items) is not an update.
	b.Updated = published.Add(20 * time.Second)
	for _, f := range StoryEmbed(b).Fields {
		if f.Name == "Published" && strings.Contains(f.Value, "updated") {
			t.Errorf("Published = %q: an update within a minute is not worth a line", f.Value)
		}
	}
	// Many reports of few outlets: "+N more" counts outlets, not reports.
	var many []OutletLink
	for i := range 200 {
		many = append(many, OutletLink{Name: fmt.Sprintf("Outlet %d", i%3), Link: fmt.Sprintf("https://o%d.example/%d", i%3, i)})
	}
	v, n := outletsValue(many, "")
	if n != 3 || strings.Contains(v, "more") || !strings.Contains(v, "https://o0.example/198") {
		t.Errorf("outletsValue = %q, %d; want three outlets, each its newest link", v, n)
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  a  b\t\tc  ", "a b c"},
		{"p1\r\n\r\n\r\n\r\np2\n", "p1\n\np2"},
		{"bidi \u202Eevil\u202C and\u0007 bell\uFEFF", "bidi evil and bell"},
		{"nbsp\u00a0and\u3000ideographic", "nbsp and ideographic"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		// Invisible marks that can reorder or hide text are dropped.
		{"pay\u200Bpal \u200Eleft\u200F \u061Calm", "paypal left alm"},
		{"word\u2060joiner\u2061\u2062\u2063\u2064", "wordjoiner"},
		{"Iran\u200C\u200Dnews \u200Dlead \u200Ctrail\u200C", "Irannews lead trail"},
		// Persian spelling keeps ZWNJ inside a word; Hindi keeps ZWJ.
		{"می\u200Cخواهم", "می\u200Cخواهم"},
		{"\u0915\u094D\u200D\u0937", "\u0915\u094D\u200D\u0937"},
		{"\u200Cمی", "می"},
		// Emoji ZWJ sequences survive: woman technologist, rainbow flag, family.
		{"\U0001F469\u200D\U0001F4BB \U0001F3F3\uFE0F\u200D\U0001F308", "\U0001F469\u200D\U0001F4BB \U0001F3F3\uFE0F\u200D\U0001F308"},
		{"\U0001F468\U0001F3FD\u200D\U0001F469\u200D\U0001F467", "\U0001F468\U0001F3FD\u200D\U0001F469\u200D\U0001F467"},
		{"\U0001F469\u200Dx", "\U0001F469x"},
	}
	for _, tt := range tests {
		if got := cleanText(tt.in); got != tt.want {
			t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStoryEmbedFields(t *testing.T) {
	e := StoryEmbed(storyCases()["story_basic"])
	if e.URL != "https://news.example.com/world/iran-e3-geneva" || e.Title == "" || e.Description == "" {
		t.Fatalf("embed = %+v, want the linked title and the summary", e)
	}
	want := map[string]string{
		"Sources":   "[Example Wire](https://wire.example.com/iran-e3) · [Daily Example](https://daily.example.org/2025/06/01/geneva)",
		"Published": fmt.Sprintf("<t:%d:f> (<t:%d:R>)", published.Unix(), published.Unix()),
		"Subtopics": "Nuclear talks · E3 diplomacy",
	}
	for _, f := range e.Fields {
		if w, ok := want[f.Name]; !ok || f.Value != w {
			t.Errorf("field %q = %q, want %q", f.Name, f.Value, w)
		}
		delete(want, f.Name)
	}
	if len(want) > 0 {
		t.Errorf("missing fields %v", want)
	}
	if e.Footer == nil || e.Footer.Text != "briefbot · Iran & Middle East diplomacy" {
		t.Errorf("footer = %+v", e.Footer)
	}

	long := StoryEmbed(storyCases()["story_long"])
	var sources string
	for _, f := range long.Fields {
		if f.Name == "Sources" {
			sources = f.Value
		}
	}
	m := regexp.MustCompile(`\+(\d+) more$`).FindStringSubmatch(sources)
	if m == nil {
		t.Fatalf("40 outlets rendered as %q, want a +N more tail", sources)
	}
	shown := strings.Count(sources, "](https://")
	if n, _ := strconv.Atoi(m[1]); shown+n != 40 {
		t.Errorf("%d outlets shown + %d more != 40", shown, n)
	}
}

func TestDigestMessages(t *testing.T) {
	if got := DigestMessages("Digest", nil); got != nil {
		t.Errorf("empty digest = %v, want nil (nothing is posted)", got)
	}
	if got := DigestMessages("Digest", []DigestGroup{{Subtopic: "x"}}); got != nil {
		t.Errorf("digest of empty groups = %v, want nil", got)
	}
	msgs := digestCases()["digest_split"]
	if len(msgs) < 2 {
		t.Fatalf("180 long stories fit in %d message(s); want a split", len(msgs))
	}
	lines := 0
	for i, m := range msgs {
		checkSafe(t, m)
		if want := fmt.Sprintf("(%d/%d)", i+1, len(msgs)); !strings.HasSuffix(m.Embeds[0].Title, want) {
			t.Errorf("message %d title %q lacks %s", i, m.Embeds[0].Title, want)
		}
		for _, f := range m.Embeds[0].Fields {
			lines += strings.Count("\n"+f.Value, "\n• ")
		}
	}
	if lines != 180 {
		t.Errorf("digest lists %d stories, want each of the 180 exactly once", lines)
	}
	small := digestCases()["digest_small"]
	if len(small) != 1 || len(small[0].Embeds[0].Fields) != 2 {
		t.Fatalf("small digest = %d messages; want 1 with 2 groups (the empty group skipped)", len(small))
	}
	if f := small[0].Embeds[0].Fields[1]; f.Name != "Other" || strings.Contains(f.Value, "ftp:") {
		t.Errorf("group without subtopic = %+v, want \"Other\" and no ftp link", f)
	}
}

// TestRenderedMessagesAcceptedByDiscord posts every rendering to the fake
// Discord, whose validation is written independently of CheckLimits.
func TestRenderedMessagesAcceptedByDiscord(t *testing.T) {
	srv := discordtest.New(t)
	s := srv.Session(t, "")
	var msgs []*discordgo.MessageSend
	for _, b := range storyCases() {
		msgs = append(msgs, StoryMessage(b))
	}
	for _, d := range digestCases() {
		msgs = append(msgs, d...)
	}
	for i, m := range msgs {
		if _, err := s.ChannelMessageSendComplex(discordtest.DefaultChannelID, m); err != nil {
			t.Fatalf("message %d rejected: %v", i, err)
		}
	}
	for _, m := range srv.Messages(discordtest.DefaultChannelID) {
		if m.Pinged() {
			t.Errorf("message %s pinged someone", m.ID)
		}
		if string(m.AllowedMentions) != `{"parse":[],"replied_user":false}` {
			t.Errorf("allowed_mentions = %s", m.AllowedMentions)
		}
	}
}

var (
	pingRe       = regexp.MustCompile(`(?i)@(everyone|here)`)
	mentionTagRe = regexp.MustCompile(`(?i)<([@#/:]|a:|t:)`)
	ourTimeRe    = regexp.MustCompile(`<t:\d+:[fR]>`)
)

// checkSafe asserts every property a rendered message must have.
func checkSafe(t *testing.T, m *discordgo.MessageSend) {
	t.Helper()
	if err := CheckLimits(m); err != nil {
		t.Fatalf("limits: %v", err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"allowed_mentions":{"parse":[]`)) {
		t.Fatalf("payload lacks allowed_mentions {\"parse\":[]}: %s", b)
	}
	for _, e := range m.Embeds {
		if e.URL != "" && !strings.HasPrefix(e.URL, "http://") && !strings.HasPrefix(e.URL, "https://") {
			t.Errorf("embed URL %q is not http(s)", e.URL)
		}
		texts := []string{e.Title, e.Description}
		for _, f := range e.Fields {
			texts = append(texts, f.Name, f.Value)
			for _, target := range linkTargets(f.Value) {
				if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
					t.Errorf("field %q links to %q", f.Name, target)
				}
			}
		}
		if e.Footer != nil {
			texts = append(texts, e.Footer.Text)
		}
		for _, s := range texts {
			if pingRe.MatchString(s) {
				t.Errorf("unneutralised @everyone/@here in %q", s)
			}
			if loc := mentionTagRe.FindStringIndex(ourTimeRe.ReplaceAllString(s, "")); loc != nil {
				t.Errorf("mention-like tag in %q", s)
			}
		}
		for _, s := range append([]string{e.Title}, ownMarkup(e.Description)...) {
			if err := unescaped(s); err != nil {
				t.Errorf("%v in %q", err, s)
			}
		}
	}
}

// ownMarkup splits off the renderer's own markup, the italic original
// title on the description's first line, so the text inside it is checked
// on its own: feed text is escaped, so it never starts with an unescaped
// "*".
func ownMarkup(desc string) []string {
	line, rest, _ := strings.Cut(desc, "\n")
	if len(line) < 2 || line[0] != '*' || line[len(line)-1] != '*' {
		return []string{desc}
	}
	return []string{line[1 : len(line)-1], rest}
}

// linkTargets returns the targets of masked links: an unescaped "[" outside
// a bare URL, then "](", then the target up to ")".
func linkTargets(s string) []string {
	var out []string
	spans := urlSpan.FindAllStringIndex(s, -1)
	for i := 0; i < len(s); i++ {
		if inSpans(spans, i) {
			continue
		}
		switch s[i] {
		case '\\':
			i++
		case '[':
			rest := s[i:]
			open := strings.Index(rest, "](")
			if open < 0 {
				continue
			}
			target, _, _ := strings.Cut(rest[open+2:], ")")
			out = append(out, target)
		}
	}
	return out
}

func inSpans(spans [][]int, i int) bool {
	for _, sp := range spans {
		if i >= sp[0] && i < sp[1] {
			return true
		}
	}
	return false
}

// unescaped finds markdown Discord would interpret in text meant as plain:
// a special character without its backslash outside a bare URL, or a line
// starting a heading, quote, subtext or list.
func unescaped(s string) error {
	spans := urlSpan.FindAllStringIndex(s, -1)
	for i := 0; i < len(s); i++ {
		if inSpans(spans, i) {
			continue
		}
		switch s[i] {
		case '\\':
			i++ // the escaped character
		case '*', '_', '~', '`', '|', '[':
			return fmt.Errorf("unescaped %q at byte %d", s[i], i)
		}
	}
	for _, line := range strings.Split(s, "\n") {
		if line != "" && (strings.ContainsRune("#>-+", rune(line[0])) || orderedItem.MatchString(line)) {
			return fmt.Errorf("line %q starts markdown", line)
		}
	}
	return nil
}

func FuzzStoryEmbed(f *testing.F) {
	for _, b := range storyCases() {
		names, links := "", ""
		for _, o := range b.Outlets {
			names += o.Name + ","
			links = o.Link
		}
		f.Add(b.Title, b.Link, b.Summary, names, links, strings.Join(b.Subtopics, ","), b.Topic, b.Published.Unix(), uint8(5))
	}
	f.Add("a_b`c", "https://x.example/\\", "1. x\n\\\n# y", "[a]", "http://[::1]:80/", ",,,", "@@everyone", int64(-1), uint8(200))
	f.Add(strings.Repeat("@everyone ", 40), "", strings.Repeat("**x** ", 900), strings.Repeat("n,", 60), "https://e.example/"+strings.Repeat("(", 600), "", "", int64(1<<40), uint8(39))
	f.Fuzz(func(t *testing.T, title, link, summary, outletNames, outletLink, subtopics, topic string, unix int64, n uint8) {
		b := Briefing{Title: title, Link: link, Summary: summary, Topic: topic, Published: time.Unix(unix, 0)}
		for i, name := range strings.Split(outletNames, ",") {
			b.Outlets = append(b.Outlets, OutletLink{Name: name, Link: outletLink + strconv.Itoa(i)})
		}
		b.Subtopics = strings.Split(subtopics, ",")
		checkSafe(t, StoryMessage(b))

		stories := make([]Briefing, int(n)%20)
		for i := range stories {
			stories[i] = b
		}
		for _, m := range DigestMessages(title, []DigestGroup{{Subtopic: subtopics, Stories: stories}, {Subtopic: topic, Stories: stories}}) {
			checkSafe(t, m)
		}
	})
}

func TestStoryEmbedOriginalTitle(t *testing.T) {
	const summary = "Iran's foreign minister said the talks were difficult but useful."
	long := strings.Repeat("عنوان ", 100)
	for _, tc := range []struct {
		name, title, original, summary string
		want                           string // the description
	}{
		{"no original title", "Talks resume", "", summary, summary},
		{"original is the title", "Talks resume", "  Talks   resume ", summary, summary},
		{"translated", "Talks resume", "مذاکرات از سر گرفته شد", summary, "*مذاکرات از سر گرفته شد*\n\n" + summary},
		{"translated, no summary", "Talks resume", "مذاکرات", "", "*مذاکرات*"},
		{"markdown and mentions in the original are escaped", "Talks", "**bold** @everyone", summary,
			"*\\*\\*bold\\*\\* @\u200beveryone*\n\n" + summary},
		{"a long original is cut to the title limit", "Talks", long, summary,
			"*" + truncate(strings.TrimSpace(long), maxTitle) + "*\n\n" + summary},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := StoryEmbed(Briefing{Title: tc.title, OriginalTitle: tc.original, Summary: tc.summary})
			if e.Description != tc.want {
				t.Errorf("description = %q, want %q", e.Description, tc.want)
			}
			if e.Title != tc.title {
				t.Errorf("title = %q, want %q", e.Title, tc.title)
			}
		})
	}
}

func TestOriginalTitle(t *testing.T) {
	const link = "https://news.example.ir/fa/1"
	src := func(title, link string) store.StorySource {
		return store.StorySource{Source: "s", Title: title, Link: link}
	}
	for _, tc := range []struct {
		name string
		st   store.Story
		want string
	}{
		{"headline is the heading item's title", store.Story{Headline: "Talks", Link: link,
			Sources: []store.StorySource{src("Talks", link)}}, ""},
		{"translated headline", store.Story{Headline: "Talks resume", Link: link,
			Sources: []store.StorySource{src("Other outlet", "https://b.example/2"), src("مذاکرات", link)}}, "مذاکرات"},
		{"no source has the story's link", store.Story{Headline: "Talks", Link: link,
			Sources: []store.StorySource{src("Something else", "https://b.example/2")}}, ""},
		{"no sources", store.Story{Headline: "Talks", Link: link}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := OriginalTitle(tc.st); got != tc.want {
				t.Errorf("OriginalTitle = %q, want %q", got, tc.want)
			}
		})
	}
}
