// Package storeutil holds the pure logic store/sqlite and store/postgres
// share: argument checks and defaults, decision encoding, search-word
// splitting and migration loading. Nothing here knows SQL or a driver, and
// errors carry no "sqlite: "/"postgres: " prefix: each store adds its own
// where it returns them, so users still see which store failed.
package storeutil

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

// CheckSubscription validates what Subscribe is given and fills defaults.
func CheckSubscription(sub *store.Subscription) error {
	if sub.ChannelID == "" || sub.Topic == "" {
		return fmt.Errorf("channel %q, topic %q: both must be set", sub.ChannelID, sub.Topic)
	}
	switch sub.Mode {
	case "":
		sub.Mode = store.ModeRealtime
	case store.ModeRealtime:
	case store.ModeDigest:
		if len(sub.DigestTimes) == 0 {
			return errors.New(`digest mode needs at least one time of day, such as "08:00"`)
		}
	default:
		return fmt.Errorf("mode %q: use %q or %q", sub.Mode, store.ModeRealtime, store.ModeDigest)
	}
	for _, hm := range sub.DigestTimes {
		if _, err := time.Parse("15:04", hm); err != nil || len(hm) != len("15:04") {
			return fmt.Errorf("digest time %q: use HH:MM on a 24-hour clock, such as 08:00 or 18:30", hm)
		}
	}
	return nil
}

// CheckStoryQuery rejects a query Stories cannot answer.
func CheckStoryQuery(q store.StoryQuery) error {
	if q.Limit <= 0 {
		return fmt.Errorf("stories: limit is %d; it must be positive", q.Limit)
	}
	return nil
}

// CheckMessageID rejects DeliverySent without the message Discord made.
func CheckMessageID(id int64, messageID string) error {
	if messageID == "" {
		return fmt.Errorf("delivery %d sent: message ID is empty; pass the ID Discord returned", id)
	}
	return nil
}

// SentAgain decides DeliverySent for a delivery already in state with
// stored as its message: done when it was already sent as messageID (a
// repeated report), an error when the report contradicts what is stored,
// neither when the row is pending and should be marked sent.
func SentAgain(id int64, state, stored, messageID string) (done bool, err error) {
	switch state {
	case "sent":
		if stored == messageID {
			return true, nil
		}
		return false, fmt.Errorf("delivery %d was already sent as message %s, now reported as %s: the channel may show it twice", id, stored, messageID)
	case "failed":
		return false, fmt.Errorf("delivery %d had failed for good, now reported sent as message %s", id, messageID)
	}
	return false, nil
}

// DefaultFailReason is what a failed delivery records when the caller gives
// no reason.
const DefaultFailReason = "Discord refused the message"

// InteractionMemory is how long an interaction ID is remembered. Discord
// redelivers within seconds; a day leaves a wide margin at trivial cost.
const InteractionMemory = 24 * time.Hour

// NewestLag is how late the most recently published of items reached us.
// A negative lag (a publisher's clock ahead of ours) counts as zero.
func NewestLag(items []story.Item) (time.Duration, bool) {
	var newest *story.Item
	for i := range items {
		it := &items[i]
		if it.Published.IsZero() {
			continue
		}
		if newest == nil || it.Published.After(newest.Published) {
			newest = it
		}
	}
	if newest == nil {
		return 0, false
	}
	return max(0, newest.Fetched.Sub(newest.Published)), true
}

// Union appends to a the non-empty strings of b it does not hold yet,
// keeping order. It never returns nil: list columns are NOT NULL.
func Union(a, b []string) []string {
	out := append(make([]string, 0, len(a)+len(b)), a...)
	for _, s := range b {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// UTC is t in UTC, keeping the zero time zero (time.Time{}.UTC() would
// not compare equal to a zero read back from the database).
func UTC(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// CheckGuildFeed validates what AddGuildFeed is given.
func CheckGuildFeed(f store.GuildFeed) error {
	switch {
	case f.GuildID == "" || f.URL == "":
		return fmt.Errorf("guild %q, url %q: both must be set", f.GuildID, f.URL)
	case !strings.HasPrefix(f.Source, store.GuildSourcePrefix) || len(f.Source) == len(store.GuildSourcePrefix):
		return fmt.Errorf("source %q: a server's feed is polled as a source named %q followed by something", f.Source, store.GuildSourcePrefix)
	case f.Added.IsZero():
		return errors.New("the time the feed was added is zero; set GuildFeed.Added")
	}
	return nil
}

// CheckGuildTopic validates what SaveGuildTopic is given.
func CheckGuildTopic(t store.GuildTopic) error {
	switch {
	case t.GuildID == "" || t.Name == "":
		return fmt.Errorf("guild %q, name %q: both must be set", t.GuildID, t.Name)
	case t.Created.IsZero():
		return errors.New("the time the topic was created is zero; set GuildTopic.Created")
	}
	return nil
}

// InBatches calls batch, each call one short transaction of at most size
// rows, until a call handles fewer than size: retention works through a
// year of rows without holding the database for long.
func InBatches(ctx context.Context, size int64, batch func() (int64, error)) error {
	for {
		n, err := batch()
		if err != nil {
			return err
		}
		if n < size {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// PollSchedule returns a poll's interval and reason as update arguments:
// nil for both when the poll carries no interval, to keep what is stored.
func PollSchedule(p store.Poll) (interval, reason any) {
	if p.Interval <= 0 {
		return nil, nil
	}
	return int64(p.Interval), p.IntervalReason
}
