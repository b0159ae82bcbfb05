package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"golang.org/x/net/publicsuffix"

	"github.com/briefbot/briefbot/fulltext"
	"github.com/briefbot/briefbot/store"
)

// sourceRow is a source as /sources and /why describe it.
type sourceRow struct {
	outlet string
	url    string
	state  store.SourceState
	known  bool // the store has a row for it
}

// sourceRows joins the configured sources (with no configured list, every
// source the store knows but other servers' own) and the server's own
// feeds with their stored state.
func (b *Bot) sourceRows(ctx context.Context, guildID string) ([]sourceRow, error) {
	states, err := b.store.Sources(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading source health: %w", err)
	}
	byName := make(map[string]store.SourceState, len(states))
	for _, st := range states {
		byName[st.Name] = st
	}
	var rows []sourceRow
	add := func(name, outlet, url string) {
		st, ok := byName[name]
		rows = append(rows, sourceRow{outlet: outlet, url: url, state: st, known: ok})
	}
	configured := b.configSources()
	if len(configured) == 0 {
		for _, st := range states {
			if !strings.HasPrefix(st.Name, store.GuildSourcePrefix) {
				add(st.Name, st.Name, st.URL)
			}
		}
	}
	for _, s := range configured {
		add(s.Name, cmp.Or(s.Outlet, s.Name), s.URL)
	}
	if guildID == "" {
		return rows, nil
	}
	own, err := b.store.GuildFeeds(ctx, guildID)
	if err != nil {
		return nil, fmt.Errorf("listing the server's feeds: %w", err)
	}
	for _, f := range own {
		add(f.Source, cmp.Or(f.Outlet, f.URL), f.URL)
	}
	return rows, nil
}

// health ranks rows for display: failing first, then not yet polled.
func (r sourceRow) health() int {
	switch {
	case r.state.Failures > 0:
		return 0
	case r.state.LastSuccess.IsZero():
		return 1
	}
	return 2
}

// sourcesCmd is /sources: every outlet and, in plain words, whether it works.
func (b *Bot) sourcesCmd(ctx context.Context, c *call) (reply, error) {
	rows, err := b.sourceRows(ctx, c.in.GuildID)
	if err != nil {
		return reply{}, err
	}
	if len(rows) == 0 {
		return reply{content: "briefbot reads no sources yet: add some under sources: in its config file."}, nil
	}
	slices.SortStableFunc(rows, func(a, b sourceRow) int {
		if d := a.health() - b.health(); d != 0 {
			return d
		}
		return strings.Compare(strings.ToLower(a.outlet), strings.ToLower(b.outlet))
	})
	failing := 0
	lines := make([]string, len(rows))
	for i, r := range rows {
		if r.health() == 0 {
			failing++
		}
		lines[i] = b.sourceLine(r)
	}
	title := fmt.Sprintf("%s, %s", plural(len(rows), "source", "sources"), plural(failing, "failing", "failing"))
	if failing == 0 {
		title = fmt.Sprintf("%s, all working", plural(len(rows), "source", "sources"))
	}
	e := &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Title: title, Color: embedColor,
		Description: fitLines("", lines, maxDescription)}
	fitEmbeds([]*discordgo.MessageEmbed{e})
	return reply{embeds: []*discordgo.MessageEmbed{e}}, nil
}

// sourceLine says how one source is doing: last success, last error, and
// how late its newest story reached briefbot.
func (b *Bot) sourceLine(r sourceRow) string {
	st := r.state
	name := "**" + userText(r.outlet) + "**"
	switch {
	case st.Failures > 0:
		line := fmt.Sprintf("⚠️ %s: failing, %s", name, reasonText(st.LastError))
		if st.Failures > 1 {
			line += fmt.Sprintf(" (%d tries in a row", st.Failures)
		} else {
			line += " (1 try"
		}
		if t := when(st.LastErrorAt); t != "" {
			line += ", last " + t
		}
		line += ")"
		if t := when(st.LastSuccess); t != "" {
			return line + "; last worked " + t
		}
		return line + "; has never worked yet"
	case st.LastSuccess.IsZero():
		return fmt.Sprintf("⏳ %s: not checked yet", name)
	}
	line := fmt.Sprintf("✅ %s: working, last checked %s", name, when(st.LastSuccess))
	if st.Warning != "" {
		line = fmt.Sprintf("⚠️ %s: working, but %s; last checked %s", name, reasonText(st.Warning), when(st.LastSuccess))
	}
	if st.LastItemLag > 0 {
		line += fmt.Sprintf("; its newest story reached briefbot %s after it was published", humanDuration(st.LastItemLag))
	}
	if t := when(st.LastErrorAt); t != "" && st.LastErrorAt.After(b.now().Add(-24*time.Hour)) {
		line += fmt.Sprintf("; last error %s: %s", t, reasonText(st.LastError))
	}
	return line
}

// when is a Discord relative timestamp ("3 minutes ago" in the reader's
// language), or "" for a zero time.
func when(t time.Time) string {
	if ts := timestamp(t); ts != "" {
		return "<t:" + ts + ":R>"
	}
	return ""
}

// humanDuration says a duration the way people do: "4 min", "2 h 5 min".
func humanDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return fmt.Sprintf("%d min", d/time.Minute)
	case d < 48*time.Hour:
		h, m := d/time.Hour, (d%time.Hour)/time.Minute
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	}
	return fmt.Sprintf("%d days", d/(24*time.Hour))
}

// why is /why url: whether briefbot saw the article and what it decided.
func (b *Bot) why(ctx context.Context, c *call) (reply, error) {
	raw := strings.Trim(c.str("url"), "<> ")
	link := b.canonical(raw)
	if link == "" {
		return reply{}, invalidf("Give the article's full link, starting with https://.")
	}
	it, err := b.store.ItemByLink(ctx, link)
	if errors.Is(err, store.ErrNotFound) {
		return b.whyUnseen(ctx, c.in.GuildID, link)
	}
	if err != nil {
		return reply{}, fmt.Errorf("looking up the link: %w", err)
	}
	shown := func(string) bool { return true }
	if !c.operator {
		if shown, err = b.visibleTo(ctx, c.in.GuildID); err != nil {
			return reply{}, err
		}
	}
	if !shown(it.Source) {
		// Another server's own feed: naming it, or what was decided for
		// its article, would tell this server what that one reads.
		return b.whyUnseen(ctx, c.in.GuildID, link)
	}

	title := truncate(userText(it.Title), maxTitle)
	if title == "" {
		title = untitled
	}
	e := &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Title: title, URL: safeURL(it.Link), Color: embedColor}
	outlet := "**" + userText(b.outlet(it.Source)) + "**"
	seen := fmt.Sprintf("briefbot saw it in the %s feed %s.", outlet, when(it.Fetched))
	var desc []string
	switch {
	case it.State == store.ItemPending:
		desc = append(desc, "⏳ **Not decided yet.** "+seen+" It is still being checked for relevance and summarised; ask again in a minute.")
	case it.State == store.ItemSeen:
		desc = append(desc, "➖ **Seen, not posted.** "+seen+" It was already in the feed when briefbot started reading that source, or older than the age limit: only articles that appear later are posted.")
	case it.Decision == nil:
		desc = append(desc, "❔ "+seen+" No decision was recorded for it.")
	case it.Decision.Relevant:
		d := it.Decision
		topics := make([]string, len(d.Topics))
		for i, t := range d.Topics {
			topics[i] = "**" + userText(t) + "**"
		}
		desc = append(desc, fmt.Sprintf("✅ **Posted.** %s It is relevant to %s (score %.2f), so channels following that were sent it.",
			seen, joinWords(topics), d.Score))
		if d.StoryID != 0 {
			line, err := b.storyNote(ctx, shown, d.StoryID, it.ID)
			if err != nil {
				return reply{}, err
			}
			desc = append(desc, line)
		}
		if line := b.summarySource(ctx, it.Link); line != "" {
			desc = append(desc, line)
		}
	default:
		desc = append(desc, fmt.Sprintf("❌ **Not posted: not relevant.** %s Its relevance score was %.2f, too low for any topic.", seen, it.Decision.Score))
	}
	e.Description = strings.Join(desc, "\n\n")
	if it.Decision != nil && len(it.Decision.Reasons) > 0 {
		var rs []string
		for _, r := range it.Decision.Reasons {
			if r = userText(r); r != "" {
				rs = append(rs, "• "+r)
			}
		}
		if len(rs) > 0 {
			e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Reasons", Value: truncate(strings.Join(rs, "\n"), maxFieldValue)})
		}
	}
	fitEmbeds([]*discordgo.MessageEmbed{e})
	return reply{embeds: []*discordgo.MessageEmbed{e}}, nil
}

// summarySource says whether the item's summary came from its article
// page or the feed's teaser, and why, when the store keeps that.
func (b *Bot) summarySource(ctx context.Context, link string) string {
	as, ok := b.store.(store.ItemArticles)
	if !ok || link == "" {
		return ""
	}
	a, ok, err := as.ItemArticle(ctx, link)
	if err != nil || !ok {
		return "" // a nicety: /why answers without it
	}
	return "📰 " + userText(fulltext.Why(a)) + "."
}

// storyNote says whether the item started its story or joined another
// outlet's report of the same event, naming only reports of the sources
// shown accepts (the item's own is one).
func (b *Bot) storyNote(ctx context.Context, shown func(source string) bool, storyID, itemID int64) (string, error) {
	st, err := b.store.Story(ctx, storyID)
	if err != nil {
		return "", fmt.Errorf("reading story %d: %w", storyID, err)
	}
	st, _ = VisibleStory(st, shown)
	headline := "“" + userText(clipRunes(st.Headline, 200)) + "”"
	// The story's link is its first item's: that item started it.
	var first *store.StorySource
	for i, src := range st.Sources {
		if src.Link == st.Link {
			first = &st.Sources[i]
			break
		}
	}
	if first == nil || first.ItemID == itemID {
		if len(st.Sources) > 1 {
			return fmt.Sprintf("It started the story %s; %s reported it too.", headline, plural(len(st.Sources)-1, "other outlet", "other outlets")), nil
		}
		return fmt.Sprintf("It is the story %s.", headline), nil
	}
	return fmt.Sprintf("%s reported the same event first, so this article was added to that story (%s) as another source instead of being posted again.",
		"**"+userText(b.outlet(first.Source))+"**", headline), nil
}

// whyUnseen explains an article briefbot never saw, pointing at the source
// it would have come from when the link's domain is one briefbot reads.
func (b *Bot) whyUnseen(ctx context.Context, guildID, link string) (reply, error) {
	host := ""
	if u, err := url.Parse(link); err == nil {
		host = u.Hostname()
	}
	rows, err := b.sourceRows(ctx, guildID)
	if err != nil {
		return reply{}, err
	}
	var matches []sourceRow
	for _, r := range rows {
		if sameSite(host, r.url) {
			matches = append(matches, r)
		}
	}
	if len(matches) == 0 {
		return reply{content: fmt.Sprintf("briefbot has not seen that article, and none of its sources publishes from %s. /sources lists what it reads.",
			userText(host))}, nil
	}
	lines := []string{"briefbot has not seen that article. It looks like one from a source it reads:"}
	for _, r := range matches {
		lines = append(lines, b.sourceLine(r))
	}
	lines = append(lines, "If the source is working, the article has not been in its feed since briefbot started reading it: "+
		"feeds list only an outlet's newest articles, and not every article is in the feed.")
	return reply{content: fitLines(lines[0], lines[1:], maxContent)}, nil
}

// sameSite reports whether host belongs to the site of the feed at feedURL:
// the same registrable domain (news.example.co.uk and example.co.uk).
func sameSite(host, feedURL string) bool {
	u, err := url.Parse(feedURL)
	if err != nil || host == "" || u.Hostname() == "" {
		return false
	}
	return site(host) == site(u.Hostname())
}

func site(host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return d
	}
	return host
}

// plainLink is the default Options.CanonicalLink: the link as typed, if it
// is an absolute http(s) URL, without its fragment.
func plainLink(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.Fragment = ""
	return u.String()
}
