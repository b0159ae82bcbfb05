package bot

import (
	"time"

	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/store"
)

// latest is /latest [topic] [count].
func (b *Bot) latest(ctx context.Context, c *call) (reply, error) {
	t := b.defaultTopic
	if c.str("topic") != "" {
		var err error
		if t, err = b.topicArg(ctx, c, "topic"); err != nil {
			return reply{}, err
		}
	}
	count := int64(defaultCount)
	if n, present, ok := c.integer("count"); present {
		if !ok || n < 1 || n > maxCount {
			return reply{}, invalidf("count must be a whole number from 1 to %d.", maxCount)
		}
		count = n
	}
	stories, err := b.storiesFor(ctx, c.in.GuildID, store.StoryQuery{Topic: t.key(), Limit: int(count)})
	if err != nil {
		return reply{}, fmt.Errorf("listing the latest stories on %s: %w", t.Name, err)
	}
	if len(stories) == 0 {
		return reply{content: fmt.Sprintf("No stories on **%s** yet.", userText(t.Name))}, nil
	}
	return reply{
		content: newestHeading(len(stories), t.Name),
		embeds:  b.storyEmbeds(stories, t.Name),
	}, nil
}

// topicCmd is /topic name: a configured topic's newest stories, or, when the
// words name no topic, a full-text search over every story.
func (b *Bot) topicCmd(ctx context.Context, c *call) (reply, error) {
	words := c.str("name")
	topics, err := b.topicsIn(ctx, c.in.GuildID)
	if err != nil {
		return reply{}, err
	}
	if words == "" {
		return reply{}, invalidf("Give a topic (%s) or some words to search for.", topicList(topics))
	}
	if t, ok, err := b.lookupTopicIn(ctx, c.in.GuildID, words); err != nil {
		return reply{}, err
	} else if ok {
		stories, err := b.storiesFor(ctx, c.in.GuildID, store.StoryQuery{Topic: t.key(), Limit: defaultCount})
		if err != nil {
			return reply{}, fmt.Errorf("listing stories on %s: %w", t.Name, err)
		}
		if len(stories) == 0 {
			return reply{content: fmt.Sprintf("No stories on **%s** yet.", userText(t.Name))}, nil
		}
		return reply{
			content: newestHeading(len(stories), t.Name),
			embeds:  b.storyEmbeds(stories, t.Name),
		}, nil
	}
	if runes(words) > maxSearchText {
		return reply{}, invalidf("Search for at most %d characters.", maxSearchText)
	}
	stories, err := b.storiesFor(ctx, c.in.GuildID, store.StoryQuery{Text: words, Limit: defaultCount})
	if err != nil {
		return reply{}, fmt.Errorf("searching stories: %w", err)
	}
	quoted := quote(words, maxSearchText)
	if len(stories) == 0 {
		return reply{content: fmt.Sprintf("No stories match %s. Topics: %s.", quoted, topicList(topics))}, nil
	}
	return reply{
		content: fmt.Sprintf("%s matching %s, best first:", plural(len(stories), "story", "stories"), quoted),
		embeds:  b.storyEmbeds(stories, ""),
	}, nil
}

// storyEmbeds renders stories as one StoryEmbed each, at most 10, trimmed
// to fit Discord's 6000 characters per message together.
func (b *Bot) storyEmbeds(stories []store.Story, topic string) []*discordgo.MessageEmbed {
	stories = stories[:min(len(stories), maxEmbeds)]
	embeds := make([]*discordgo.MessageEmbed, len(stories))
	for i, s := range stories {
		embeds[i] = StoryEmbed(b.briefing(s, topic))
	}
	fitList(embeds)
	return embeds
}

// briefing is a stored story as the renderer takes it. topic is the topic
// the story is shown for; "" means its first.
func (b *Bot) briefing(s store.Story, topic string) Briefing {
	if topic == "" && len(s.Topics) > 0 {
		topic = s.Topics[0]
	}
	br := Briefing{
		Title:         s.Headline,
		OriginalTitle: OriginalTitle(s),
		Link:          s.Link,
		Summary:       s.Summary,
		Subtopics:     s.Subtopics,
		Topic:         topic,
	}
	br.Published, br.Updated = StoryTimes(s)
	for _, src := range s.Sources {
		br.Outlets = append(br.Outlets, OutletLink{Name: b.outlet(src.Source), Link: src.Link})
	}
	return br
}

// StoryTimes are when st was first reported (its earliest report, which
// may have joined after the story was posted) and, for a story with more
// than one report, when it last changed; zero when it has one.
func StoryTimes(st store.Story) (first, updated time.Time) {
	first = st.Published
	for _, src := range st.Sources {
		if !src.Published.IsZero() && (first.IsZero() || src.Published.Before(first)) {
			first = src.Published
		}
	}
	if len(st.Sources) > 1 {
		updated = st.Updated
	}
	return first, updated
}

// OriginalTitle is the title of the item heading st (the source whose link
// is the story's) when the story's headline is not that title: the
// headline is then its English translation, and the original is shown
// beneath it. "" otherwise.
func OriginalTitle(st store.Story) string {
	for _, src := range st.Sources {
		if src.Link == st.Link {
			if src.Title != st.Headline {
				return src.Title
			}
			return ""
		}
	}
	return ""
}

// outlet is a source's display name.
func (b *Bot) outlet(name string) string {
	for _, s := range b.configSources() {
		if s.Name == name && s.Outlet != "" {
			return s.Outlet
		}
	}
	if b.outletName != nil {
		return b.outletName(name)
	}
	return name
}

// fitList makes embeds fit the message total by shortening the longest
// descriptions first, to a common length, so every story keeps some of its
// summary rather than the last ones losing all of theirs.
func fitList(embeds []*discordgo.MessageEmbed) {
	total := 0
	var lens []int
	for _, e := range embeds {
		total += embedSize(e)
		lens = append(lens, runes(e.Description))
	}
	over := total - maxEmbedTotal
	if over > 0 {
		// The largest cap that removes enough: cut(cap) = Σ max(0, len-cap)
		// grows as cap falls.
		cut := func(limit int) int {
			n := 0
			for _, l := range lens {
				n += max(0, l-limit)
			}
			return n
		}
		lo, hi := 0, slices.Max(lens) // cut(hi) = 0 < over; find the largest limit with cut >= over
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if cut(mid) >= over {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		for _, e := range embeds {
			e.Description = truncate(e.Description, lo)
		}
	}
	fitEmbeds(embeds) // the safety net for whatever the descriptions could not give
}

// userText is text for a markdown message: one line, markdown escaped,
// mentions neutralised.
func userText(s string) string { return markdownText(cleanLine(s)) }

func newestHeading(n int, topic string) string {
	if n == 1 {
		return fmt.Sprintf("The newest story on **%s**:", userText(topic))
	}
	return fmt.Sprintf("The %d newest stories on **%s**:", n, userText(topic))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// joinWords lists items as "a, b and c".
func joinWords(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
