package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/internal/storeutil"
)

const subscriptionColumns = `id, guild_id, channel_id, topic, mode, digest_times, timezone,
	since, last_digest, created_by, paused, paused_reason, paused_at, outlets, mention_role`

func scanSubscription(sc interface{ Scan(...any) error }) (store.Subscription, error) {
	var (
		sub                         store.Subscription
		mode, times, outlets        string
		since, lastDigest, pausedAt sql.NullString
	)
	err := sc.Scan(&sub.ID, &sub.GuildID, &sub.ChannelID, &sub.Topic, &mode, &times, &sub.Timezone,
		&since, &lastDigest, &sub.CreatedBy, &sub.Paused, &sub.PausedReason, &pausedAt, &outlets, &sub.MentionRole)
	if err != nil {
		return sub, err
	}
	sub.Mode = store.DeliveryMode(mode)
	if sub.DigestTimes, err = decodeList(times); err != nil {
		return sub, err
	}
	if sub.Outlets, err = decodeList(outlets); err != nil {
		return sub, err
	}
	if sub.Since, err = parseTime(since); err != nil {
		return sub, err
	}
	if sub.LastDigest, err = parseTime(lastDigest); err != nil {
		return sub, err
	}
	sub.PausedAt, err = parseTime(pausedAt)
	return sub, err
}

// Subscribe implements store.Briefings.
func (s *Store) Subscribe(ctx context.Context, sub store.Subscription) (store.Subscription, error) {
	if err := storeutil.CheckSubscription(&sub); err != nil {
		return store.Subscription{}, fmt.Errorf("sqlite: subscribe: %w", err)
	}
	since, err := timeArg(sub.Since)
	if err != nil {
		return store.Subscription{}, fmt.Errorf("sqlite: subscribe: since: %w", err)
	}
	lastDigest, err := timeArg(sub.LastDigest)
	if err != nil {
		return store.Subscription{}, fmt.Errorf("sqlite: subscribe: last digest: %w", err)
	}
	var out store.Subscription
	err = s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// since and last_digest are left out of the update: a replaced
		// subscription keeps them, so its catch-up is not repeated and no
		// digest slot fires twice. Resuming clears the pause, which makes
		// the deliveries it held back claimable again.
		var err error
		out, err = scanSubscription(tx.QueryRowContext(ctx, `
			INSERT INTO subscriptions (guild_id, channel_id, topic, mode, digest_times, timezone, since, last_digest, created_by, outlets, mention_role)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (channel_id, topic) DO UPDATE SET
			    guild_id      = excluded.guild_id,
			    outlets       = excluded.outlets,
			    mention_role  = excluded.mention_role,
			    mode          = excluded.mode,
			    digest_times  = excluded.digest_times,
			    timezone      = excluded.timezone,
			    created_by    = excluded.created_by,
			    paused        = 0,
			    paused_reason = '',
			    paused_at     = NULL
			RETURNING `+subscriptionColumns,
			sub.GuildID, sub.ChannelID, sub.Topic, string(sub.Mode), jsonList(sub.DigestTimes), sub.Timezone,
			since, lastDigest, sub.CreatedBy, jsonList(sub.Outlets), sub.MentionRole))
		if err != nil {
			return fmt.Errorf("sqlite: subscribe channel %s to %q: %w", sub.ChannelID, sub.Topic, err)
		}
		return nil
	})
	return out, err
}

// handoverTo is the condition under which subscription o of delivery d's
// channel (not the one being removed, ?1) would itself have delivered
// d's story: real time, following a topic the story has, subscribed
// before the story was first seen, and, when limited to some outlets,
// taking one of the story's.
const handoverTo = `o.channel_id = d.channel_id AND o.id <> ?1 AND o.mode = 'realtime'
			      AND (o.since IS NULL OR o.since <= t.first_seen)
			      AND (o.outlets = '[]' OR EXISTS (
			        SELECT 1 FROM story_items si JOIN items i ON i.id = si.item_id
			        WHERE si.story_id = d.story_id AND i.source IN (SELECT value FROM json_each(o.outlets))))`

// Unsubscribe implements store.Briefings.
func (s *Store) Unsubscribe(ctx context.Context, channelID, topic string) (bool, error) {
	found := false
	err := s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM subscriptions WHERE channel_id = ? AND topic = ?`, channelID, topic).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("sqlite: unsubscribe channel %s from %q: %w", channelID, topic, err)
		}
		found = true
		// A pending story that another of the channel's subscriptions
		// would have delivered moves to it rather than being lost: the
		// (channel, story) key allowed only one of them to own it.
		if _, err := tx.ExecContext(ctx, `
			UPDATE deliveries AS d
			SET (subscription_id, topic) = (
			    SELECT o.id, o.topic
			    FROM subscriptions o
			    JOIN story_topics t ON t.story_id = d.story_id AND t.topic = o.topic
			    WHERE `+handoverTo+`
			    ORDER BY o.id LIMIT 1)
			WHERE d.subscription_id = ?1 AND d.state = 'pending' AND d.kind = 'story'
			  AND EXISTS (
			    SELECT 1 FROM subscriptions o
			    JOIN story_topics t ON t.story_id = d.story_id AND t.topic = o.topic
			    WHERE `+handoverTo+`)`, id); err != nil {
			return fmt.Errorf("sqlite: unsubscribe: hand pending stories to the channel's other subscriptions: %w", err)
		}
		// An edit no other subscription took is given up; the row stays,
		// sent, so the channel never gets the story posted a second time.
		if _, err := tx.ExecContext(ctx, `
			UPDATE deliveries SET state = 'sent', claimed_by = '', lease_until = NULL
			WHERE subscription_id = ? AND state = 'pending' AND message_id <> ''`, id); err != nil {
			return fmt.Errorf("sqlite: unsubscribe: give up pending edits: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM deliveries WHERE subscription_id = ? AND state = 'pending'`, id); err != nil {
			return fmt.Errorf("sqlite: unsubscribe: drop pending deliveries: %w", err)
		}
		// Ended deliveries stay (subscription_id becomes NULL): they are
		// what keeps a re-subscribed channel from getting a story twice.
		if _, err := tx.ExecContext(ctx, `DELETE FROM subscriptions WHERE id = ?`, id); err != nil {
			return fmt.Errorf("sqlite: unsubscribe channel %s from %q: %w", channelID, topic, err)
		}
		return nil
	})
	return found, err
}

// Subscriptions implements store.Briefings.
func (s *Store) Subscriptions(ctx context.Context, f store.SubscriptionFilter) ([]store.Subscription, error) {
	var (
		where []string
		args  []any
	)
	for _, c := range []struct {
		column, value string
	}{{"guild_id", f.GuildID}, {"channel_id", f.ChannelID}, {"topic", f.Topic}, {"mode", string(f.Mode)}} {
		if c.value != "" {
			where = append(where, c.column+" = ?")
			args = append(args, c.value)
		}
	}
	query := `SELECT ` + subscriptionColumns + ` FROM subscriptions`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY channel_id, topic`

	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: subscriptions: %w", err)
	}
	defer rows.Close()
	var subs []store.Subscription
	for rows.Next() {
		sub, err := scanSubscription(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: subscriptions: %w", err)
		}
		subs = append(subs, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: subscriptions: %w", err)
	}
	return subs, nil
}

// EnqueueDigest implements store.Briefings.
func (s *Store) EnqueueDigest(ctx context.Context, subscriptionID int64, slot time.Time, storyIDs []int64) (bool, error) {
	slotArg, err := timeArg(slot)
	if err != nil || slotArg == nil {
		return false, fmt.Errorf("sqlite: enqueue digest: slot %v: %w", slot, errOrZero(err))
	}
	enqueued := false
	err = s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// Moving last_digest forward is the claim on the slot: only one
		// caller can move it past a given slot.
		var (
			guildID, channelID, topic string
			paused                    bool
		)
		err := tx.QueryRowContext(ctx, `
			UPDATE subscriptions SET last_digest = ?2
			WHERE id = ?1 AND (last_digest IS NULL OR last_digest < ?2)
			RETURNING guild_id, channel_id, topic, paused`, subscriptionID, slotArg).
			Scan(&guildID, &channelID, &topic, &paused)
		if errors.Is(err, sql.ErrNoRows) {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM subscriptions WHERE id = ?`, subscriptionID).Scan(&n); err != nil {
				return fmt.Errorf("sqlite: enqueue digest: %w", err)
			}
			if n == 0 {
				return fmt.Errorf("enqueue digest: subscription %d: %w", subscriptionID, store.ErrNotFound)
			}
			return nil // this slot or a later one is already done
		}
		if err != nil {
			return fmt.Errorf("sqlite: enqueue digest for subscription %d: %w", subscriptionID, err)
		}
		enqueued = true
		if len(storyIDs) == 0 || paused {
			return nil
		}
		ids := jsonList(storyIDs)
		var missing int64
		err = tx.QueryRowContext(ctx, `
			SELECT j.value FROM json_each(?) j
			WHERE NOT EXISTS (SELECT 1 FROM stories WHERE id = j.value) LIMIT 1`, ids).Scan(&missing)
		if err == nil {
			return fmt.Errorf("enqueue digest: story %d: %w", missing, store.ErrNotFound)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: enqueue digest: check stories: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO deliveries (kind, subscription_id, guild_id, channel_id, topic, slot, story_ids, created)
			VALUES ('digest', ?, ?, ?, ?, ?, ?, ?)`,
			subscriptionID, guildID, channelID, topic, slotArg, ids, slotArg); err != nil {
			return fmt.Errorf("sqlite: enqueue digest for subscription %d: %w", subscriptionID, err)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	return enqueued, nil
}
