package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/internal/storeutil"
)

const subscriptionColumns = `id, guild_id, channel_id, topic, mode, digest_times, timezone,
	since, last_digest, created_by, paused, paused_reason, paused_at, outlets, mention_role`

func scanSubscription(row pgx.Row) (store.Subscription, error) {
	var (
		sub                         store.Subscription
		mode                        string
		since, lastDigest, pausedAt pgtype.Timestamptz
	)
	err := row.Scan(&sub.ID, &sub.GuildID, &sub.ChannelID, &sub.Topic, &mode, &sub.DigestTimes, &sub.Timezone,
		&since, &lastDigest, &sub.CreatedBy, &sub.Paused, &sub.PausedReason, &pausedAt, &sub.Outlets, &sub.MentionRole)
	if err != nil {
		return sub, err
	}
	sub.Mode = store.DeliveryMode(mode)
	sub.Since, sub.LastDigest, sub.PausedAt = fromTS(since), fromTS(lastDigest), fromTS(pausedAt)
	return sub, nil
}

// Subscribe implements store.Briefings.
func (s *Store) Subscribe(ctx context.Context, sub store.Subscription) (store.Subscription, error) {
	if err := storeutil.CheckSubscription(&sub); err != nil {
		return store.Subscription{}, fmt.Errorf("postgres: subscribe: %w", err)
	}
	if sub.DigestTimes == nil {
		sub.DigestTimes = []string{} // the column is NOT NULL
	}
	outlets := sub.Outlets
	if outlets == nil {
		outlets = []string{}
	}
	if err := s.enter(); err != nil {
		return store.Subscription{}, err
	}
	defer s.mu.RUnlock()
	// since and last_digest are left out of the update: a replaced
	// subscription keeps them, so its catch-up is not repeated and no digest
	// slot fires twice. Resuming clears the pause, which makes the
	// deliveries it held back claimable again.
	out, err := scanSubscription(s.pool.QueryRow(ctx, `
		INSERT INTO subscriptions (guild_id, channel_id, topic, mode, digest_times, timezone, since, last_digest, created_by, outlets, mention_role)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (channel_id, topic) DO UPDATE SET
		    guild_id      = excluded.guild_id,
		    outlets       = excluded.outlets,
		    mention_role  = excluded.mention_role,
		    mode          = excluded.mode,
		    digest_times  = excluded.digest_times,
		    timezone      = excluded.timezone,
		    created_by    = excluded.created_by,
		    paused        = false,
		    paused_reason = '',
		    paused_at     = NULL
		RETURNING `+subscriptionColumns,
		clean(sub.GuildID), clean(sub.ChannelID), clean(sub.Topic), string(sub.Mode), sub.DigestTimes, clean(sub.Timezone),
		ts(sub.Since), ts(sub.LastDigest), clean(sub.CreatedBy), cleanAll(outlets), clean(sub.MentionRole)))
	if err != nil {
		return store.Subscription{}, fmt.Errorf("postgres: subscribe channel %s to %q: %w", sub.ChannelID, sub.Topic, err)
	}
	return out, nil
}

// handoverTo is the condition under which subscription o of delivery d's
// channel (not the one being removed, $1) would itself have delivered
// d's story: real time, following a topic the story has, subscribed
// before the story was first seen, and, when limited to some outlets,
// taking one of the story's.
const handoverTo = `o.channel_id = d.channel_id AND o.id <> $1 AND o.mode = 'realtime'
			      AND (o.since IS NULL OR o.since <= t.first_seen)
			      AND (cardinality(o.outlets) = 0 OR EXISTS (
			        SELECT 1 FROM story_items si JOIN items i ON i.id = si.item_id
			        WHERE si.story_id = d.story_id AND i.source = ANY (o.outlets)))`

// Unsubscribe implements store.Briefings.
func (s *Store) Unsubscribe(ctx context.Context, channelID, topic string) (bool, error) {
	found := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		found = false
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM subscriptions WHERE channel_id = $1 AND topic = $2 FOR UPDATE`,
			channelID, topic).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("postgres: unsubscribe channel %s from %q: %w", channelID, topic, err)
		}
		found = true
		// A pending story that another of the channel's subscriptions
		// would have delivered moves to it rather than being lost: the
		// (channel, story) key allowed only one of them to own it.
		if _, err := tx.Exec(ctx, `
			UPDATE deliveries AS d
			SET (subscription_id, topic) = (
			    SELECT o.id, o.topic
			    FROM subscriptions o
			    JOIN story_topics t ON t.story_id = d.story_id AND t.topic = o.topic
			    WHERE `+handoverTo+`
			    ORDER BY o.id LIMIT 1)
			WHERE d.subscription_id = $1 AND d.state = 'pending' AND d.kind = 'story'
			  AND EXISTS (
			    SELECT 1 FROM subscriptions o
			    JOIN story_topics t ON t.story_id = d.story_id AND t.topic = o.topic
			    WHERE `+handoverTo+`)`, id); err != nil {
			return fmt.Errorf("postgres: unsubscribe: hand pending stories to the channel's other subscriptions: %w", err)
		}
		// An edit no other subscription took is given up; the row stays,
		// sent, so the channel never gets the story posted a second time.
		if _, err := tx.Exec(ctx, `
			UPDATE deliveries SET state = 'sent', claimed_by = '', lease_until = NULL
			WHERE subscription_id = $1 AND state = 'pending' AND message_id <> ''`, id); err != nil {
			return fmt.Errorf("postgres: unsubscribe: give up pending edits: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM deliveries WHERE subscription_id = $1 AND state = 'pending'`, id); err != nil {
			return fmt.Errorf("postgres: unsubscribe: drop pending deliveries: %w", err)
		}
		// Ended deliveries stay (subscription_id becomes NULL): they are
		// what keeps a re-subscribed channel from getting a story twice.
		if _, err := tx.Exec(ctx, `DELETE FROM subscriptions WHERE id = $1`, id); err != nil {
			return fmt.Errorf("postgres: unsubscribe channel %s from %q: %w", channelID, topic, err)
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
			args = append(args, c.value)
			where = append(where, fmt.Sprintf("%s = $%d", c.column, len(args)))
		}
	}
	query := `SELECT ` + subscriptionColumns + ` FROM subscriptions`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	// Byte order, as store/sqlite sorts, whatever the database's collation.
	query += ` ORDER BY channel_id COLLATE "C", topic COLLATE "C"`

	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: subscriptions: %w", err)
	}
	subs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Subscription, error) { return scanSubscription(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: subscriptions: %w", err)
	}
	return subs, nil
}

// EnqueueDigest implements store.Briefings.
func (s *Store) EnqueueDigest(ctx context.Context, subscriptionID int64, slot time.Time, storyIDs []int64) (bool, error) {
	if slot.IsZero() {
		return false, fmt.Errorf("postgres: enqueue digest: slot %v: %w", slot, errOrZero(nil))
	}
	enqueued := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		enqueued = false
		// Moving last_digest forward is the claim on the slot: the row
		// lock makes a concurrent caller wait, then find the slot taken.
		var (
			guildID, channelID, topic string
			paused                    bool
		)
		err := tx.QueryRow(ctx, `
			UPDATE subscriptions SET last_digest = $2
			WHERE id = $1 AND (last_digest IS NULL OR last_digest < $2)
			RETURNING guild_id, channel_id, topic, paused`, subscriptionID, ts(slot)).
			Scan(&guildID, &channelID, &topic, &paused)
		if errors.Is(err, pgx.ErrNoRows) {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM subscriptions WHERE id = $1)`, subscriptionID).Scan(&exists); err != nil {
				return fmt.Errorf("postgres: enqueue digest: %w", err)
			}
			if !exists {
				return fmt.Errorf("enqueue digest: subscription %d: %w", subscriptionID, store.ErrNotFound)
			}
			return nil // this slot or a later one is already done
		}
		if err != nil {
			return fmt.Errorf("postgres: enqueue digest for subscription %d: %w", subscriptionID, err)
		}
		enqueued = true
		if len(storyIDs) == 0 || paused {
			return nil
		}
		var missing int64
		err = tx.QueryRow(ctx, `
			SELECT x FROM unnest($1::bigint[]) x
			WHERE NOT EXISTS (SELECT 1 FROM stories WHERE id = x) LIMIT 1`, storyIDs).Scan(&missing)
		if err == nil {
			return fmt.Errorf("enqueue digest: story %d: %w", missing, store.ErrNotFound)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("postgres: enqueue digest: check stories: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO deliveries (kind, subscription_id, guild_id, channel_id, topic, slot, story_ids, created)
			VALUES ('digest', $1, $2, $3, $4, $5, $6, $5)`,
			subscriptionID, guildID, channelID, topic, ts(slot), storyIDs); err != nil {
			return fmt.Errorf("postgres: enqueue digest for subscription %d: %w", subscriptionID, err)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	return enqueued, nil
}
