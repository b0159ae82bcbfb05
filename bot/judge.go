package bot

import (
	"fmt"
	"log/slog"
	"strconv"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/topic"
)

// Judge classifies items against the configured topics and every server's
// own topics. A server's topic is reported under its store key
// (store.GuildTopicKey), so its stories and subscriptions stay that
// server's. It is immutable: build a new one when topics change.
type Judge struct {
	c     *topic.Classifier
	keys  map[string]string // classifier name of a server topic → store key
	names map[string]string // store key → classifier name
	info  []TopicInfo       // config topics, then server topics
}

// NewJudge builds the built-in and configured topics (defs, as
// topic.NewClassifier takes them) plus the servers' topics. A server's
// topic that no longer compiles is left out and logged, so one bad topic
// never stops the others; a bad configured topic is an error.
func NewJudge(defs []topic.Def, guild []store.GuildTopic, log *slog.Logger) (*Judge, error) {
	base, err := topic.NewClassifier(defs)
	if err != nil {
		return nil, err
	}
	j := &Judge{keys: map[string]string{}, names: map[string]string{}}
	ts := base.Topics()
	for _, t := range ts {
		j.info = append(j.info, TopicInfo{Name: t.Name(), Description: t.Description()})
	}
	for i, g := range guild {
		// Classifier names must be unique and plain; the key carries the
		// server.
		name := "server-topic-" + strconv.Itoa(i)
		t, err := topic.New(guildDef(g, name))
		if err != nil {
			if log != nil {
				log.Warn("a server's topic no longer compiles; leaving it out", slog.String("guild", g.GuildID),
					slog.String("topic", g.Name), slog.Any("err", err))
			}
			continue
		}
		key := store.GuildTopicKey(g.GuildID, g.Name)
		j.keys[name] = key
		j.names[key] = name
		ts = append(ts, t)
		j.info = append(j.info, TopicInfo{Name: g.Name, Description: g.Description, Key: key})
	}
	if j.c, err = topic.NewClassifierOf(ts...); err != nil {
		return nil, fmt.Errorf("bot: combining the servers' topics: %w", err)
	}
	return j, nil
}

// guildDef is a server's topic as a topic.Def named name.
func guildDef(g store.GuildTopic, name string) topic.Def {
	return topic.Def{Name: name, Description: g.Description, Include: g.Include, Exclude: g.Exclude, Require: g.Require}
}

// Classify scores an item against every topic; a server's topic is
// reported under its store key.
func (j *Judge) Classify(title, text string) []topic.Result {
	rs := j.c.Classify(title, text)
	for i := range rs {
		if k, ok := j.keys[rs[i].Topic]; ok {
			rs[i].Topic = k
		}
	}
	return rs
}

// Threshold is the relevance threshold of the topic that Classify reports
// as name (a configured topic's name, or a server topic's key).
func (j *Judge) Threshold(name string) (float64, bool) {
	if n, ok := j.names[name]; ok {
		name = n
	}
	t, ok := j.c.Topic(name)
	if !ok {
		return 0, false
	}
	return t.Threshold(), true
}

// Topics lists the configured topics, then the servers' (with Key set).
func (j *Judge) Topics() []TopicInfo { return append([]TopicInfo(nil), j.info...) }

// TopicLabel is how a topic key reads to people: a server's topic by its
// own name, a configured one as it is.
func TopicLabel(key string) string {
	if _, name, ok := store.SplitGuildTopicKey(key); ok {
		return name
	}
	return key
}
