package bot

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/store"
)

const (
	catchUpWindow   = 72 * time.Hour
	catchUpCount    = 5
	maxDigestTimes  = 6
	defaultDigestAt = "08:00"
	defaultTimezone = "UTC"
	maxReason       = 200
)

// postPerms are what the poster needs in a channel (Administrator aside);
// a thread takes Send Messages in Threads instead of Send Messages.
const postPerms = discordgo.PermissionViewChannel | discordgo.PermissionEmbedLinks

// subscribe is /subscribe topic [mode] [at] [timezone]. It answers with an
// ephemeral confirmation and, for a new subscription, a public catch-up of
// the topic's last 72 hours, so the channel shows at once what it will get.
// The subscription starts now, so nothing in the catch-up is posted again.
func (b *Bot) subscribe(ctx context.Context, c *call) (reply, error) {
	t, err := b.topicArg(ctx, c, "topic")
	if err != nil {
		return reply{}, err
	}
	at, tz := c.str("at"), c.str("timezone")
	mode := store.DeliveryMode(strings.ToLower(c.str("mode")))
	switch mode {
	case "":
		mode = store.ModeRealtime
		if at != "" || tz != "" {
			mode = store.ModeDigest
		}
	case store.ModeRealtime:
		if at != "" || tz != "" {
			return reply{}, invalidf("at and timezone are for digests: choose mode digest, or leave them out.")
		}
	case store.ModeDigest:
	default:
		return reply{}, invalidf("mode is realtime or digest.")
	}
	sub := store.Subscription{
		GuildID: c.in.GuildID, ChannelID: c.in.ChannelID, Topic: t.key(), Mode: mode, CreatedBy: c.userID(),
	}
	if sub.Outlets, err = b.outletsArg(ctx, c); err != nil {
		return reply{}, err
	}
	if sub.MentionRole, err = mentionArg(c, mode); err != nil {
		return reply{}, err
	}
	if mode == store.ModeDigest {
		if at == "" {
			at = defaultDigestAt
		}
		if sub.DigestTimes, err = parseTimes(at); err != nil {
			return reply{}, err
		}
		if tz == "" {
			tz = defaultTimezone
		}
		if sub.Timezone, err = parseZone(tz); err != nil {
			return reply{}, err
		}
	}
	if p := c.in.AppPermissions; p != 0 && p&discordgo.PermissionAdministrator == 0 &&
		(p&postPerms != postPerms || p&(discordgo.PermissionSendMessages|discordgo.PermissionSendMessagesInThreads) == 0) {
		return reply{}, invalidf("briefbot cannot post in this channel: give it View Channel, Send Messages and Embed Links here, then subscribe again.")
	}

	existing, err := b.store.Subscriptions(ctx, store.SubscriptionFilter{ChannelID: sub.ChannelID, Topic: sub.Topic})
	if err != nil {
		return reply{}, fmt.Errorf("looking up the channel's subscription: %w", err)
	}
	sub.Since = b.now()
	sub, err = b.store.Subscribe(ctx, sub)
	if err != nil {
		return reply{}, fmt.Errorf("subscribing: %w", err)
	}
	what := fmt.Sprintf("<#%s> follows **%s**: %s", sub.ChannelID, userText(TopicLabel(sub.Topic)), modeText(sub))
	if len(existing) > 0 {
		msg := "Updated: " + what + "."
		if existing[0].Paused {
			msg += fmt.Sprintf(" It had been paused (%s); it is running again.", reasonText(existing[0].PausedReason))
		}
		return reply{content: msg}, nil
	}

	limit := catchUpCount + 1
	if len(sub.Outlets) > 0 {
		limit *= 4 // read past the other outlets' stories, left out below
	}
	stories, err := b.storiesFor(ctx, c.in.GuildID, store.StoryQuery{Topic: sub.Topic, Since: sub.Since.Add(-catchUpWindow), Limit: limit})
	if err != nil {
		return reply{}, fmt.Errorf("listing the catch-up: %w", err)
	}
	// A story that arrived since the subscription started is delivered by
	// the poster; showing it here too would post it twice. A subscription
	// limited to some outlets catches up only on stories they carried, as
	// it is sent only those.
	stories = slices.DeleteFunc(stories, func(s store.Story) bool {
		return !s.FirstSeen.Before(sub.Since) || !carriedBy(s, sub.Outlets)
	})
	stories = stories[:min(len(stories), catchUpCount)]
	public := &discordgo.WebhookParams{AllowedMentions: NoMentions()}
	if len(stories) == 0 {
		public.Content = fmt.Sprintf("This channel now follows **%s**: %s. Nothing in the last 72 hours; new stories will appear here.",
			userText(t.Name), modeText(sub))
	} else {
		public.Content = fmt.Sprintf("This channel now follows **%s**: %s. To catch up, the last 72 hours:", userText(t.Name), modeText(sub))
		public.Embeds = b.storyEmbeds(stories, t.Name)
	}
	return reply{
		content:   "Subscribed: " + what + ". A catch-up is posted below.",
		followups: []*discordgo.WebhookParams{public},
	}, nil
}

// modeText says in words when a subscription posts, with its options.
func modeText(s store.Subscription) string {
	out := "each story as it appears"
	if s.Mode == store.ModeDigest {
		out = fmt.Sprintf("a digest at %s (%s), when there is something new", joinWords(s.DigestTimes), userText(s.Timezone))
	}
	if len(s.Outlets) > 0 {
		names := make([]string, len(s.Outlets))
		for i, o := range s.Outlets {
			names[i] = userText(o)
		}
		out += ", only from " + joinWords(names)
	}
	if s.MentionRole != "" {
		out += fmt.Sprintf(", pinging <@&%s>", s.MentionRole)
	}
	return out
}

// clockTime is "H:MM" or "HH:MM", 24-hour.
var clockTime = regexp.MustCompile(`^([01]?[0-9]|2[0-3]):([0-5][0-9])$`)

// parseTimes reads digest times, "HH:MM" 24-hour, separated by commas or
// spaces, into sorted, distinct "HH:MM".
func parseTimes(s string) ([]string, error) {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' })
	var out []string
	for _, p := range parts {
		m := clockTime.FindStringSubmatch(p)
		if m == nil {
			return nil, invalidf("%s is not a time: use HH:MM, 24-hour, like 08:00 or 18:30 (several: 08:00,18:00).", quote(p, 20))
		}
		h, _ := strconv.Atoi(m[1])
		t := fmt.Sprintf("%02d:%s", h, m[2])
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, invalidf("Give digest times as HH:MM, 24-hour, like 08:00 or 08:00,18:00.")
	}
	if len(out) > maxDigestTimes {
		return nil, invalidf("At most %d digest times a day.", maxDigestTimes)
	}
	slices.Sort(out)
	return out, nil
}

// parseZone checks an IANA timezone name.
func parseZone(name string) (string, error) {
	if strings.EqualFold(name, "utc") {
		return "UTC", nil
	}
	if name == "Local" || strings.ContainsAny(name, " \\") {
		return "", invalidf("%s is not a timezone: use an IANA name like Europe/London or America/New_York.", quote(name, 40))
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return "", invalidf("%s is not a timezone: use an IANA name like Europe/London or America/New_York.", quote(name, 40))
	}
	return loc.String(), nil
}

// unsubscribe is /unsubscribe topic. The topic need not be configured any
// more: a channel can always leave what it follows.
func (b *Bot) unsubscribe(ctx context.Context, c *call) (reply, error) {
	name := c.str("topic")
	if name == "" {
		return reply{}, invalidf("Choose the topic to unsubscribe from.")
	}
	key := name
	if t, ok, err := b.lookupTopicIn(ctx, c.in.GuildID, name); err != nil {
		return reply{}, err
	} else if ok {
		key, name = t.key(), t.Name
	} else if c.in.GuildID != "" {
		// A server topic deleted since: its subscription can still go.
		if subs, err := b.store.Subscriptions(ctx, store.SubscriptionFilter{ChannelID: c.in.ChannelID, Topic: store.GuildTopicKey(c.in.GuildID, name)}); err == nil && len(subs) > 0 {
			key = subs[0].Topic
		}
	}
	ok, err := b.store.Unsubscribe(ctx, c.in.ChannelID, key)
	if err != nil {
		return reply{}, fmt.Errorf("unsubscribing: %w", err)
	}
	if ok {
		return reply{content: fmt.Sprintf("Unsubscribed: <#%s> no longer follows **%s**.", c.in.ChannelID, userText(name))}, nil
	}
	subs, err := b.store.Subscriptions(ctx, store.SubscriptionFilter{ChannelID: c.in.ChannelID})
	if err != nil {
		return reply{}, fmt.Errorf("listing the channel's subscriptions: %w", err)
	}
	if len(subs) == 0 {
		return reply{}, invalidf("<#%s> is not subscribed to anything.", c.in.ChannelID)
	}
	var topics []string
	for _, s := range subs {
		topics = append(topics, userText(TopicLabel(s.Topic)))
	}
	return reply{}, invalidf("<#%s> is not subscribed to %s; it follows %s.", c.in.ChannelID, quote(name, 50), joinWords(topics))
}

// subscribedChoices completes /unsubscribe with the channel's subscriptions.
func (b *Bot) subscribedChoices(ctx context.Context, c *call, typed string) ([]*discordgo.ApplicationCommandOptionChoice, error) {
	subs, err := b.store.Subscriptions(ctx, store.SubscriptionFilter{ChannelID: c.in.ChannelID})
	if err != nil {
		return nil, err
	}
	var out []*discordgo.ApplicationCommandOptionChoice
	for _, s := range subs {
		label := TopicLabel(s.Topic)
		if len(out) < maxChoices && strings.Contains(strings.ToLower(label), strings.ToLower(typed)) && runes(label) <= maxChoice {
			out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: label, Value: label})
		}
	}
	if len(out) == 0 {
		return b.topicChoices(typed, false), nil
	}
	return out, nil
}

// subscriptions is /subscriptions [scope], showing paused ones and why.
func (b *Bot) subscriptions(ctx context.Context, c *call) (reply, error) {
	if c.in.GuildID == "" {
		return reply{}, invalidf("Use /subscriptions in a server channel.")
	}
	f := store.SubscriptionFilter{ChannelID: c.in.ChannelID}
	server := false
	switch c.str("scope") {
	case "", "channel":
	case "server":
		f, server = store.SubscriptionFilter{GuildID: c.in.GuildID}, true
	default:
		return reply{}, invalidf("scope is channel or server.")
	}
	subs, err := b.store.Subscriptions(ctx, f)
	if err != nil {
		return reply{}, fmt.Errorf("listing subscriptions: %w", err)
	}
	if len(subs) == 0 {
		if server {
			return reply{content: "No channel in this server follows a topic yet. /subscribe in a channel to start."}, nil
		}
		return reply{content: fmt.Sprintf("<#%s> follows no topic yet. /subscribe to start.", c.in.ChannelID)}, nil
	}
	head := fmt.Sprintf("<#%s> follows:", c.in.ChannelID)
	if server {
		head = "Subscriptions in this server:"
	}
	var lines []string
	for _, s := range subs {
		line := "• "
		if server {
			line += fmt.Sprintf("<#%s> ", s.ChannelID)
		}
		line += fmt.Sprintf("**%s**: %s", userText(TopicLabel(s.Topic)), modeText(s))
		if s.Paused {
			line += "\n  ⏸ Paused"
			if !s.PausedAt.IsZero() {
				line += fmt.Sprintf(" <t:%d:R>", s.PausedAt.Unix())
			}
			line += fmt.Sprintf(": %s. Fix that, then /subscribe again to resume.", reasonText(s.PausedReason))
		}
		lines = append(lines, line)
	}
	return reply{content: fitLines(head, lines, maxContent)}, nil
}

func reasonText(r string) string {
	r = truncate(userText(r), maxReason)
	if r == "" {
		return "no reason recorded"
	}
	return strings.TrimRight(r, ".")
}

// fitLines joins head (if any) and lines, one per line, within limit
// characters, ending with "… and N more" when some do not fit.
func fitLines(head string, lines []string, limit int) string {
	out := head
	add := func(l string) string {
		if out == "" {
			return l
		}
		return out + "\n" + l
	}
	for i, l := range lines {
		more := ""
		if rest := len(lines) - i - 1; rest > 0 {
			more = fmt.Sprintf("\n… and %d more", rest)
		}
		if runes(add(l))+runes(more) > limit {
			return add(fmt.Sprintf("… and %d more", len(lines)-i))
		}
		out = add(l)
	}
	return out
}

// carriedBy reports whether one of outlets (source names) carried st; any
// story when outlets is empty.
func carriedBy(st store.Story, outlets []string) bool {
	return len(outlets) == 0 || slices.ContainsFunc(st.Sources, func(src store.StorySource) bool {
		return slices.Contains(outlets, src.Source)
	})
}
