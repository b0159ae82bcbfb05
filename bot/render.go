package bot

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"golang.org/x/net/idna"
)

// Briefing is one story as a channel sees it. Every string in it is treated
// as untrusted feed text.
type Briefing struct {
	Title string
	// OriginalTitle is the heading item's own title when Title is its
	// English translation; the embed shows it beneath. "" when the title
	// was not translated.
	OriginalTitle string
	Link          string
	Summary       string
	// Outlets are the story's items' outlets, oldest report first; the
	// embed lists each outlet once.
	Outlets []OutletLink
	// Published is when the story was first reported.
	Published time.Time
	// Updated is when the story last changed (an outlet's report joined
	// it); zero, or within a minute of Published, for a story that has
	// not been edited.
	Updated   time.Time
	Subtopics []string
	// Topic is the configured topic the story was posted for.
	Topic string
}

// OutletLink is one outlet that carried the story and its article link.
type OutletLink struct {
	Name string
	Link string
}

// DigestGroup is the stories of one subtopic in a digest.
type DigestGroup struct {
	Subtopic string
	Stories  []Briefing
}

// Discord's limits, counted in Unicode code points as Discord's API does.
// https://discord.com/developers/docs/resources/message#embed-object-embed-limits
const (
	maxContent      = 2000
	maxEmbeds       = 10
	maxTitle        = 256
	maxDescription  = 4096
	maxFields       = 25
	maxFieldName    = 256
	maxFieldValue   = 1024
	maxFooter       = 2048
	maxAuthorName   = 256
	maxEmbedTotal   = 6000 // title+description+fields+footer+author across a message's embeds
	maxURL          = 2048
	maxLinkInText   = 512 // longer URLs are not worth a masked link's budget
	maxTopic        = 200
	maxOutletName   = 100
	maxDigestTitle  = 150 // one story's title in a digest line
	maxRawText      = 64 << 10
	embedColor      = 0x2F6FB3
	untitled        = "Untitled story"
	footerPrefix    = "briefbot"
	ellipsis        = "…"
	continuedSuffix = " (cont.)"
)

// NoMentions is the allowed_mentions every message carries: parse nothing,
// so no headline can ping @everyone, a role or a user. The empty, non-nil
// slice matters: discordgo sends a nil Parse as "parse": null.
func NoMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// RoleMention lets a message ping exactly role and nobody else: not
// @everyone, @here, users or other roles, whatever its text says. An
// empty role is NoMentions.
func RoleMention(role string) *discordgo.MessageAllowedMentions {
	m := NoMentions()
	if role != "" {
		m.Roles = []string{role}
	}
	return m
}

// StoryMessage is the message posted for one story.
func StoryMessage(b Briefing) *discordgo.MessageSend {
	return &discordgo.MessageSend{
		Embeds:          []*discordgo.MessageEmbed{StoryEmbed(b)},
		AllowedMentions: NoMentions(),
	}
}

// StoryEmbed renders one story: the title linked to the article, the summary,
// the outlets with their links, the published time as a Discord timestamp and
// the matched subtopics. Any input gives an embed within Discord's limits.
func StoryEmbed(b Briefing) *discordgo.MessageEmbed {
	title := markdownText(cleanLine(b.Title))
	if title == "" {
		title = untitled
	}
	e := &discordgo.MessageEmbed{
		Type:   discordgo.EmbedTypeRich,
		Title:  truncate(title, maxTitle),
		URL:    safeURL(b.Link),
		Color:  embedColor,
		Footer: &discordgo.MessageEmbedFooter{Text: footer(b.Topic)},
	}
	if v, n := outletsValue(b.Outlets, b.Link); v != "" {
		name := "Source"
		if n > 1 {
			name = "Sources"
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: name, Value: v, Inline: true})
	}
	if ts := timestamp(b.Published); ts != "" {
		v := fmt.Sprintf("<t:%s:f> (<t:%s:R>)", ts, ts)
		if up := timestamp(b.Updated); up != "" && b.Updated.Sub(b.Published) >= editedAfter {
			v += fmt.Sprintf("\nupdated <t:%s:R>", up)
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Published", Value: v, Inline: true})
	}
	if v := subtopicsValue(b.Subtopics); v != "" {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Subtopics", Value: v, Inline: true})
	}
	// The summary gets whatever the 6000 total leaves after the rest,
	// the original title (in italics, above it) included.
	budget := min(maxDescription, maxEmbedTotal-embedSize(e))
	summary := markdownText(cleanText(b.Summary))
	if orig := originalTitleLine(b); orig != "" {
		if summary = truncate(summary, budget-runes(orig)-2); summary != "" {
			orig += "\n\n"
		}
		summary = orig + summary
	}
	e.Description = truncate(summary, budget)
	fitEmbeds([]*discordgo.MessageEmbed{e})
	return e
}

// originalTitleLine is b's original title as an italic line, escaped and
// within the title limit, or "" when there is none or it is the title.
func originalTitleLine(b Briefing) string {
	orig := cleanLine(b.OriginalTitle)
	if orig == "" || orig == cleanLine(b.Title) {
		return ""
	}
	return "*" + truncate(markdownText(orig), maxTitle) + "*"
}

// DigestMessages renders a digest: stories listed compactly, one line each,
// grouped by subtopic, split over as many messages as Discord's limits need.
// Groups without stories are skipped; nothing to list gives nil, so an empty
// digest is never posted.
func DigestMessages(title string, groups []DigestGroup) []*discordgo.MessageSend {
	type field struct{ name, value string }
	var fields []field
	for _, g := range groups {
		if len(g.Stories) == 0 {
			continue
		}
		name := markdownText(cleanLine(g.Subtopic))
		if name == "" {
			name = "Other"
		}
		name = truncate(name, maxFieldName-utf8.RuneCountInString(continuedSuffix))
		cur := field{name: name}
		for _, s := range g.Stories {
			line := truncate(digestLine(s), maxFieldValue)
			switch {
			case cur.value == "":
				cur.value = line
			case runes(cur.value)+1+runes(line) <= maxFieldValue:
				cur.value += "\n" + line
			default:
				fields = append(fields, cur)
				cur = field{name: name + continuedSuffix, value: line}
			}
		}
		fields = append(fields, cur)
	}
	if len(fields) == 0 {
		return nil
	}

	title = markdownText(cleanLine(title))
	if title == "" {
		title = "Digest"
	}
	// Room for a " (10/12)" page suffix.
	title = truncate(title, maxTitle-12)
	var embeds []*discordgo.MessageEmbed
	var cur *discordgo.MessageEmbed
	for _, f := range fields {
		size := runes(f.name) + runes(f.value)
		if cur == nil || len(cur.Fields) == maxFields || embedSize(cur)+size > maxEmbedTotal-12 {
			cur = &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Title: title, Color: embedColor}
			embeds = append(embeds, cur)
		}
		cur.Fields = append(cur.Fields, &discordgo.MessageEmbedField{Name: f.name, Value: f.value})
	}
	msgs := make([]*discordgo.MessageSend, len(embeds))
	for i, e := range embeds {
		if len(embeds) > 1 {
			e.Title = fmt.Sprintf("%s (%d/%d)", title, i+1, len(embeds))
		}
		fitEmbeds([]*discordgo.MessageEmbed{e})
		msgs[i] = &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{e}, AllowedMentions: NoMentions()}
	}
	return msgs
}

// digestLine is "• [title](link) — Outlet +2 · <t:…:R>".
func digestLine(b Briefing) string {
	var sb strings.Builder
	sb.WriteString("• ")
	title := truncate(linkText(cleanLine(clip(b.Title, 4*maxTitle))), maxDigestTitle)
	if title == "" {
		title = untitled
	}
	if u := safeURL(b.Link); u != "" && len(u) <= maxLinkInText {
		sb.WriteString("[" + title + "](" + u + ")")
	} else {
		sb.WriteString(title)
	}
	var names []string
	seen := map[string]bool{}
	for _, o := range b.Outlets {
		if n := truncate(markdownText(cleanLine(o.Name)), maxOutletName); n != "" && !seen[strings.ToLower(n)] {
			seen[strings.ToLower(n)] = true
			names = append(names, n)
		}
	}
	if len(names) > 0 {
		sb.WriteString(" — " + names[0])
		if len(names) > 1 {
			sb.WriteString(" +" + strconv.Itoa(len(names)-1))
		}
	}
	if ts := timestamp(b.Published); ts != "" {
		sb.WriteString(" · <t:" + ts + ":R>")
	}
	return sb.String()
}

// editedAfter is how long after its first report a story's change is
// worth an "updated" line.
const editedAfter = time.Minute

// outletsValue lists outlets as masked links, one per outlet, as many as
// fit in a field, then "+N more". An outlet with several reports links the
// one heading the story (headLink) if it is among them, else its newest
// (the last given). It also returns how many distinct outlets there were.
func outletsValue(outlets []OutletLink, headLink string) (string, int) {
	type entry struct{ name, link string }
	var list []entry
	seen := map[string]int{} // folded name -> index in list
	head := safeURL(headLink)
	for _, o := range outlets {
		link := safeURL(o.Link)
		name := cleanLine(o.Name)
		if name == "" && link != "" {
			if u, err := url.Parse(link); err == nil {
				name = strings.TrimPrefix(u.Hostname(), "www.")
			}
		}
		if name == "" {
			continue
		}
		e := entry{truncate(linkText(name), maxOutletName), link}
		key := strings.ToLower(e.name)
		if i, ok := seen[key]; ok {
			if link != "" && list[i].link != head {
				list[i].link = link
			}
			continue
		}
		seen[key] = len(list)
		list = append(list, e)
	}
	const sep = " · "
	var sb strings.Builder
	for i, e := range list {
		item := e.name
		if e.link != "" && len(e.link) <= maxLinkInText {
			item = "[" + e.name + "](" + e.link + ")"
		}
		if i > 0 {
			item = sep + item
		}
		// Adding an item must leave room to say how many did not fit, which
		// is why the check includes the tail this item would need.
		tail := ""
		if rest := len(list) - i - 1; rest > 0 {
			tail = sep + "+" + strconv.Itoa(rest) + " more"
		}
		if runes(sb.String())+runes(item)+runes(tail) > maxFieldValue {
			if sb.Len() > 0 {
				sb.WriteString(sep)
			}
			sb.WriteString("+" + strconv.Itoa(len(list)-i) + " more")
			break
		}
		sb.WriteString(item)
	}
	return sb.String(), len(list)
}

func subtopicsValue(subtopics []string) string {
	var parts []string
	seen := map[string]bool{}
	for _, s := range subtopics {
		s = markdownText(cleanLine(s))
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		parts = append(parts, s)
	}
	return truncate(strings.Join(parts, " · "), maxFieldValue)
}

func footer(topic string) string {
	// Footers render no markdown, so only mentions are neutralised.
	t := truncate(neutraliseMentions(cleanLine(topic)), maxTopic)
	if t == "" {
		return footerPrefix
	}
	return footerPrefix + " · " + t
}

// timestamp is the Unix time for a <t:…> tag, or "" when unknown.
func timestamp(t time.Time) string {
	if t.IsZero() || t.Unix() <= 0 || t.Year() > 9999 {
		return ""
	}
	return strconv.FormatInt(t.Unix(), 10)
}

// --- limits ---

func runes(s string) int { return utf8.RuneCountInString(s) }

// embedSize is what counts toward the 6000 total.
func embedSize(e *discordgo.MessageEmbed) int {
	n := runes(e.Title) + runes(e.Description)
	for _, f := range e.Fields {
		n += runes(f.Name) + runes(f.Value)
	}
	if e.Footer != nil {
		n += runes(e.Footer.Text)
	}
	if e.Author != nil {
		n += runes(e.Author.Name)
	}
	return n
}

// fitEmbeds enforces every limit on embeds that are already escaped: the
// per-field limits first, then the message total, shrinking the description,
// then the last fields, then the footer. It is the safety net under the
// budgets the renderers plan; it never fails.
func fitEmbeds(embeds []*discordgo.MessageEmbed) {
	total := 0
	for _, e := range embeds {
		e.Title = truncate(e.Title, maxTitle)
		e.Description = truncate(e.Description, maxDescription)
		if len(e.Fields) > maxFields {
			e.Fields = e.Fields[:maxFields]
		}
		for _, f := range e.Fields {
			f.Name = truncate(f.Name, maxFieldName)
			f.Value = truncate(f.Value, maxFieldValue)
		}
		if e.Footer != nil {
			e.Footer.Text = truncate(e.Footer.Text, maxFooter)
		}
		if e.Author != nil {
			e.Author.Name = truncate(e.Author.Name, maxAuthorName)
		}
		total += embedSize(e)
	}
	shrink := func(s *string) {
		if over := total - maxEmbedTotal; over > 0 && *s != "" {
			before := runes(*s)
			*s = truncate(*s, max(0, before-over))
			total -= before - runes(*s)
		}
	}
	for i := len(embeds) - 1; i >= 0 && total > maxEmbedTotal; i-- {
		e := embeds[i]
		shrink(&e.Description)
		for j := len(e.Fields) - 1; j >= 0 && total > maxEmbedTotal; j-- {
			shrink(&e.Fields[j].Value)
			if e.Fields[j].Value == "" { // Discord rejects empty field values
				total -= runes(e.Fields[j].Name)
				e.Fields = append(e.Fields[:j], e.Fields[j+1:]...)
			}
		}
		if e.Footer != nil {
			shrink(&e.Footer.Text)
		}
		shrink(&e.Title)
	}
}

// CheckLimits reports every way m breaks Discord's limits or briefbot's
// safety rules (valid UTF-8, allowed_mentions parsing nothing, http(s) embed
// links). The renderers never produce such a message; the poster can use it
// as a last check before sending.
func CheckLimits(m *discordgo.MessageSend) error {
	var errs []error
	check := func(what, s string, limit int) {
		if !utf8.ValidString(s) {
			errs = append(errs, fmt.Errorf("%s is not valid UTF-8", what))
		}
		if n := runes(s); n > limit {
			errs = append(errs, fmt.Errorf("%s has %d characters, over Discord's %d", what, n, limit))
		}
	}
	check("content", m.Content, maxContent)
	if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) > 0 ||
		len(m.AllowedMentions.Users) > 0 || len(m.AllowedMentions.Roles) > 0 {
		errs = append(errs, errors.New("allowed_mentions must parse nothing: use NoMentions()"))
	}
	if len(m.Embeds) > maxEmbeds {
		errs = append(errs, fmt.Errorf("%d embeds, over Discord's %d", len(m.Embeds), maxEmbeds))
	}
	total := 0
	for i, e := range m.Embeds {
		p := fmt.Sprintf("embeds[%d]", i)
		if e == nil {
			errs = append(errs, fmt.Errorf("%s is nil", p))
			continue
		}
		total += embedSize(e)
		check(p+".title", e.Title, maxTitle)
		check(p+".description", e.Description, maxDescription)
		if e.URL != "" && safeURL(e.URL) != e.URL {
			errs = append(errs, fmt.Errorf("%s.url %q is not a normalised http(s) URL", p, e.URL))
		}
		if len(e.Fields) > maxFields {
			errs = append(errs, fmt.Errorf("%s has %d fields, over Discord's %d", p, len(e.Fields), maxFields))
		}
		for j, f := range e.Fields {
			fp := fmt.Sprintf("%s.fields[%d]", p, j)
			if f.Name == "" || f.Value == "" {
				errs = append(errs, fmt.Errorf("%s needs a name and a value", fp))
			}
			check(fp+".name", f.Name, maxFieldName)
			check(fp+".value", f.Value, maxFieldValue)
		}
		if e.Footer != nil {
			check(p+".footer", e.Footer.Text, maxFooter)
		}
		if e.Author != nil {
			check(p+".author", e.Author.Name, maxAuthorName)
		}
	}
	if total > maxEmbedTotal {
		errs = append(errs, fmt.Errorf("embeds total %d characters, over Discord's %d", total, maxEmbedTotal))
	}
	if m.Content == "" && len(m.Embeds) == 0 {
		errs = append(errs, errors.New("message is empty"))
	}
	return errors.Join(errs...)
}

// truncate shortens s to at most limit code points, cutting at a word
// boundary when one is reasonably close and ending with an ellipsis. It never
// leaves a dangling escape backslash.
func truncate(s string, limit int) string {
	if runes(s) <= limit {
		return s
	}
	if limit <= 0 {
		return ""
	}
	keep := limit - utf8.RuneCountInString(ellipsis)
	cut := 0
	for n := 0; n < keep && cut < len(s); n++ {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
	}
	head := s[:cut]
	// Back up to the last space unless that loses more than half the text
	// (one very long word, or a language written without spaces).
	if i := strings.LastIndexFunc(head, unicode.IsSpace); i > 0 && runes(head[:i]) >= keep/2 {
		head = head[:i]
	}
	for {
		head = strings.TrimRightFunc(head, unicode.IsSpace)
		trailing := len(head) - len(strings.TrimRight(head, `\`))
		if trailing%2 == 0 {
			break
		}
		head = head[:len(head)-1] // an escape whose character was cut off
	}
	return head + ellipsis
}

// --- untrusted text ---

// cleanLine is cleanText on one line: every run of whitespace becomes a space.
func cleanLine(s string) string {
	return strings.Join(strings.Fields(cleanText(s)), " ")
}

// cleanText makes feed text safe to measure and show: valid UTF-8, no control
// or bidirectional-override characters, Unicode spaces as plain spaces,
// trimmed lines and at most one blank line in a row.
func cleanText(s string) string {
	s = strings.ToValidUTF8(clip(s, maxRawText), "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\r', r == '\u2028', r == '\u2029':
			return '\n'
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), r == '\uFEFF', isBidiControl(r), isInvisibleMark(r):
			return -1
		}
		return r
	}, s)
	s = dropStrayJoiners(s)
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := false
	for _, l := range lines {
		l = strings.Join(strings.Fields(l), " ")
		if l == "" {
			if !blank && len(out) > 0 {
				out = append(out, "")
			}
			blank = true
			continue
		}
		blank = false
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// clip cuts s to at most n bytes on a rune boundary. Rendering keeps at most
// a few thousand characters of any text, so a megabyte item description is
// cut before cleaning rather than cleaned in full.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}

// isInvisibleMark reports characters that show nothing yet can reorder text
// (LRM, RLM, ALM) or hide a word break (zero-width space, word joiner,
// invisible operators), so a title can spoof another. No script needs them
// in a headline.
func isInvisibleMark(r rune) bool {
	return r == '\u200E' || r == '\u200F' || r == '\u061C' || r == '\u200B' ||
		(r >= '\u2060' && r <= '\u2064')
}

const (
	zwnj = '\u200C'
	zwj  = '\u200D'
)

// dropStrayJoiners removes ZWNJ and ZWJ except where writing needs them:
// between two letters of a joining script (ZWNJ is part of Persian spelling,
// "می‌خواهم"; both shape Indic conjuncts) and ZWJ between two emoji, which
// forms one sequence (👩‍💻). Anywhere else they only hide a break.
func dropStrayJoiners(s string) string {
	if !strings.ContainsRune(s, zwnj) && !strings.ContainsRune(s, zwj) {
		return s
	}
	rs := []rune(s)
	out := rs[:0]
	for i, r := range rs {
		if r == zwnj || r == zwj {
			var prev, next rune
			if len(out) > 0 {
				prev = out[len(out)-1]
			}
			if i+1 < len(rs) {
				next = rs[i+1]
			}
			keep := isJoiningScript(prev) && isJoiningScript(next)
			if r == zwj {
				keep = keep || isEmojiPart(prev) && isEmoji(next)
			}
			if !keep {
				continue
			}
		}
		out = append(out, r)
	}
	return string(out)
}

// joiningScripts use ZWNJ/ZWJ inside words.
var joiningScripts = []*unicode.RangeTable{
	unicode.Arabic, unicode.Syriac, unicode.Devanagari, unicode.Bengali, unicode.Gurmukhi,
	unicode.Gujarati, unicode.Oriya, unicode.Tamil, unicode.Telugu, unicode.Kannada,
	unicode.Malayalam, unicode.Sinhala,
}

func isJoiningScript(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsMark(r)) && unicode.IsOneOf(joiningScripts, r)
}

// isEmoji is a pictographic symbol that can start or continue a ZWJ sequence.
func isEmoji(r rune) bool { return r >= '\u2190' && unicode.Is(unicode.So, r) }

// isEmojiPart also accepts what may end an emoji before a ZWJ: variation
// selector 16, a skin-tone modifier or a tag character (flags).
func isEmojiPart(r rune) bool {
	return isEmoji(r) || r == '\uFE0F' || (r >= 0x1F3FB && r <= 0x1F3FF) || (r >= 0xE0020 && r <= 0xE007F)
}

// markdownText escapes cleaned text for a markdown-rendering embed field and
// neutralises mentions.
func markdownText(s string) string { return neutraliseMentions(escapeMarkdown(s)) }

// linkText is markdownText for the text of a masked link, where brackets
// would end the link early: they become parentheses.
func linkText(s string) string {
	return markdownText(strings.NewReplacer("[", "(", "]", ")").Replace(s))
}

// urlSpan matches what Discord's markdown turns into a link by itself (its
// simple-markdown url rule, with JavaScript's \s). Escaping inside it would
// change the link, and markdown does not apply there anyway.
var urlSpan = regexp.MustCompile(`https?://[^\s\x0B\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}<]+[^<.,:;"')\]\s\x0B\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}]`)

// orderedItem is a numbered-list marker at the start of a line: "12. ".
var orderedItem = regexp.MustCompile(`^\d+\.\s`)

// escapeMarkdown backslash-escapes Discord markdown so feed text shows as
// written: emphasis, underline, strike, code and spoilers anywhere, the "["
// that opens a masked link (a "]" or "(" alone forms nothing, and escaping
// "]" right after a bare URL would pull the backslash into the link), and
// headings, quotes, subtext and lists at line starts. Discord drops the
// backslash before any punctuation, so escaping never shows.
func escapeMarkdown(s string) string {
	var sb strings.Builder
	sb.Grow(len(s) + len(s)/8)
	lines := strings.Split(s, "\n")
	for li, line := range lines {
		if li > 0 {
			sb.WriteByte('\n')
		}
		if line == "" {
			continue
		}
		switch {
		case strings.ContainsRune("#>-+", rune(line[0])):
			sb.WriteByte('\\')
		case orderedItem.MatchString(line):
			dot := strings.IndexByte(line, '.')
			escapeInline(&sb, line[:dot])
			sb.WriteString(`\`)
			line = line[dot:]
		}
		escapeInline(&sb, line)
	}
	return sb.String()
}

func escapeInline(sb *strings.Builder, s string) {
	spans := urlSpan.FindAllStringIndex(s, -1)
	pos := 0
	for _, sp := range spans {
		escapeChars(sb, s[pos:sp[0]])
		sb.WriteString(s[sp[0]:sp[1]])
		pos = sp[1]
	}
	escapeChars(sb, s[pos:])
}

func escapeChars(sb *strings.Builder, s string) {
	for _, r := range s {
		switch r {
		case '\\', '*', '_', '~', '`', '|', '[':
			sb.WriteByte('\\')
		}
		sb.WriteRune(r)
	}
}

// mentionLike matches what Discord renders as a ping or a mention-like tag:
// @everyone, @here, <@id>, <@!id>, <@&id>, <#id>, </cmd:id>, <:emoji:id>,
// <a:emoji:id>, <t:…>.
var mentionLike = regexp.MustCompile(`(?i)@(everyone|here)|<([@#/:]|a:|t:)`)

// neutraliseMentions puts a zero-width space inside anything Discord would
// render as a mention (as discord.py's escape_mentions does), so it shows as
// text. allowed_mentions already stops pings; this also stops the rendering.
func neutraliseMentions(s string) string {
	return mentionLike.ReplaceAllStringFunc(s, func(m string) string {
		return m[:1] + "\u200b" + m[1:]
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// safeURL returns u normalised if it is an absolute http(s) URL with a host,
// and "" otherwise (javascript:, data:, relative links, ...). Credentials are
// dropped, and parentheses and spaces are percent-encoded so the URL is also
// safe inside a markdown link.
func safeURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxURL {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return ""
	}
	u.User = nil
	if h := u.Hostname(); !isASCII(h) {
		// Go would percent-encode an internationalised host; browsers and
		// Discord expect its punycode form.
		a, err := idna.Lookup.ToASCII(h)
		if err != nil {
			return ""
		}
		if p := u.Port(); p != "" {
			a = net.JoinHostPort(a, p)
		}
		u.Host = a
	}
	out := strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(u.String())
	if len(out) > maxURL || !utf8.ValidString(out) {
		return ""
	}
	return out
}
