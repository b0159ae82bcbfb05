package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/store"
)

// maxOutletsOption bounds /subscribe's outlets option.
const maxOutletsOption = 200

// outletsIn lists the outlets a server can read: the configured ones and
// its own feeds.
func (b *Bot) outletsIn(ctx context.Context, guildID string) ([]SourceInfo, error) {
	out := slices.Clone(b.configSources())
	if len(out) == 0 {
		known, err := b.store.Sources(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the sources: %w", err)
		}
		for _, s := range known {
			if !strings.HasPrefix(s.Name, store.GuildSourcePrefix) {
				out = append(out, SourceInfo{Name: s.Name, URL: s.URL})
			}
		}
	}
	if guildID != "" {
		feeds, err := b.store.GuildFeeds(ctx, guildID)
		if err != nil {
			return nil, fmt.Errorf("listing the server's feeds: %w", err)
		}
		for _, f := range feeds {
			out = append(out, SourceInfo{Name: f.Source, Outlet: f.Outlet, URL: f.URL})
		}
	}
	return out, nil
}

// outletsArg reads /subscribe's outlets: names or display names,
// separated by commas, each one of the server's outlets. It returns their
// source names; none when the option is absent.
func (b *Bot) outletsArg(ctx context.Context, c *call) ([]string, error) {
	v := c.str("outlets")
	if v == "" {
		return nil, nil
	}
	known, err := b.outletsIn(ctx, c.in.GuildID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		i := slices.IndexFunc(known, func(s SourceInfo) bool {
			return strings.EqualFold(s.Name, part) || (s.Outlet != "" && strings.EqualFold(s.Outlet, part))
		})
		if i < 0 {
			return nil, invalidf("There is no outlet %s. Pick outlets from the list as you type, separated by commas; /sources and /feeds list show them all.", quote(part, 50))
		}
		if !slices.Contains(out, known[i].Name) {
			out = append(out, known[i].Name)
		}
	}
	return out, nil
}

// mentionArg reads /subscribe's mention: a role the bot can ping, for
// realtime subscriptions only. Never @everyone (whose role ID is the
// server's).
func mentionArg(c *call, mode store.DeliveryMode) (string, error) {
	id, role := c.role("mention")
	if id == "" {
		return "", nil
	}
	if mode != store.ModeRealtime {
		return "", invalidf("mention pings a role for each new story, so it is for realtime subscriptions only: leave it out for a digest.")
	}
	if id == c.in.GuildID || (role != nil && role.Name == "@everyone") {
		return "", invalidf("briefbot never pings @everyone or @here: choose a role.")
	}
	if role != nil && role.Managed {
		return "", invalidf("%s belongs to an integration and cannot be pinged: choose another role.", quote(role.Name, 50))
	}
	p := c.in.AppPermissions
	canAll := p&(discordgo.PermissionAdministrator|discordgo.PermissionMentionEveryone) != 0
	if !canAll && (role == nil || !role.Mentionable) {
		name := "that role"
		if role != nil {
			name = "@" + userText(role.Name)
		}
		return "", invalidf("briefbot cannot ping %s: turn on \"Allow anyone to @mention this role\" in Server Settings → Roles, or give briefbot the \"Mention @everyone, @here, and All Roles\" permission here, then subscribe again.", name)
	}
	return id, nil
}

// subscribeChoices completes /subscribe's topic and outlets options.
func (b *Bot) subscribeChoices(ctx context.Context, c *call, typed string) ([]*discordgo.ApplicationCommandOptionChoice, error) {
	if name, _ := c.focused(); name == "outlets" {
		return b.outletChoices(ctx, c, typed)
	}
	return b.topicChoicesIn(ctx, c, typed, false)
}

// outletChoices completes the last of the comma-separated outlets typed,
// keeping the ones before it.
func (b *Bot) outletChoices(ctx context.Context, c *call, typed string) ([]*discordgo.ApplicationCommandOptionChoice, error) {
	known, err := b.outletsIn(ctx, c.in.GuildID)
	if err != nil {
		return nil, err
	}
	done, last := "", typed
	if i := strings.LastIndex(typed, ","); i >= 0 {
		done, last = strings.TrimSpace(typed[:i+1]), strings.TrimSpace(typed[i+1:])
	}
	q := strings.ToLower(last)
	var out []*discordgo.ApplicationCommandOptionChoice
	for _, s := range known {
		label := s.Outlet
		if label == "" {
			label = s.Name
		}
		if !strings.Contains(strings.ToLower(s.Name), q) && !strings.Contains(strings.ToLower(label), q) {
			continue
		}
		value := done + s.Name
		if runes(value) > maxOutletsOption || len(out) == maxChoices {
			break
		}
		out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: clipRunes(done+label, maxChoice), Value: value})
	}
	return out, nil
}

// storiesFor is Stories as a server may see them (VisibleStory): a story
// only other servers' own feeds carried is theirs, so it is left out (and
// up to q.Limit others are read in its place).
func (b *Bot) storiesFor(ctx context.Context, guildID string, q store.StoryQuery) ([]store.Story, error) {
	limit := q.Limit
	q.Limit *= 2
	stories, err := b.store.Stories(ctx, q)
	if err != nil {
		return nil, err
	}
	shown, err := b.visibleTo(ctx, guildID)
	if err != nil {
		return nil, err
	}
	visible := stories[:0]
	for _, s := range stories {
		if s, ok := VisibleStory(s, shown); ok {
			visible = append(visible, s)
		}
	}
	return visible[:min(len(visible), limit)], nil
}

// visibleTo says which sources' items a server may see: the operator's
// feeds serve every server, a server's own feeds only that server.
func (b *Bot) visibleTo(ctx context.Context, guildID string) (func(source string) bool, error) {
	own := map[string]bool{}
	if guildID != "" {
		feeds, err := b.store.GuildFeeds(ctx, guildID)
		if err != nil {
			return nil, fmt.Errorf("listing the server's feeds: %w", err)
		}
		for _, f := range feeds {
			own[f.Source] = true
		}
	}
	return func(src string) bool { return !strings.HasPrefix(src, store.GuildSourcePrefix) || own[src] }, nil
}
