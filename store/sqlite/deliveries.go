package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/internal/storeutil"
)

const deliveryColumns = `id, kind, subscription_id, guild_id, channel_id, topic, story_ids, slot,
	attempts, not_before, last_error, created, message_id`

func scanDelivery(sc interface{ Scan(...any) error }) (store.Delivery, error) {
	var (
		d                        store.Delivery
		kind, ids                string
		subID                    sql.NullInt64
		slot, notBefore, created sql.NullString
	)
	err := sc.Scan(&d.ID, &kind, &subID, &d.GuildID, &d.ChannelID, &d.Topic, &ids, &slot,
		&d.Attempts, &notBefore, &d.LastError, &created, &d.MessageID)
	if err != nil {
		return d, err
	}
	d.Kind, d.SubscriptionID = store.DeliveryKind(kind), subID.Int64
	if d.Kind == store.DeliverStory && d.MessageID != "" {
		// Pending with a message: the story changed after it was sent.
		d.Kind = store.DeliverEdit
	}
	if err := json.Unmarshal([]byte(ids), &d.StoryIDs); err != nil {
		return d, fmt.Errorf("sqlite: delivery %d: bad stored story list %q: %w", d.ID, ids, err)
	}
	if d.Slot, err = parseTime(slot); err != nil {
		return d, err
	}
	if d.NotBefore, err = parseTime(notBefore); err != nil {
		return d, err
	}
	d.Created, err = parseTime(created)
	return d, err
}

// claimQuery leases due deliveries in one statement, which the single
// writer (and, across processes, BEGIN IMMEDIATE) runs alone: no two
// callers can pick the same row. It walks the small deliveries_pending
// index oldest first; a lease ends at lease_until, so an expired one is
// simply due again. claimed_rev notes which joins this claim's render will
// include (see migration 0003).
const claimQuery = `
	UPDATE deliveries SET claimed_by = ?1, lease_until = ?2, attempts = attempts + 1, claimed_rev = edit_rev
	WHERE id IN (
	    SELECT d.id FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
	    WHERE d.state = 'pending'
	      AND (d.not_before IS NULL OR d.not_before <= ?3)
	      AND (d.lease_until IS NULL OR d.lease_until <= ?3)
	      AND s.paused = 0
	    ORDER BY d.id
	    LIMIT ?4)
	RETURNING ` + deliveryColumns

// ClaimDeliveries implements store.Briefings.
func (s *Store) ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]store.Delivery, error) {
	switch {
	case owner == "":
		return nil, errors.New("sqlite: claim deliveries: owner is empty; name the claiming instance")
	case lease <= 0:
		return nil, fmt.Errorf("sqlite: claim deliveries: lease is %v; it must be positive", lease)
	case limit <= 0:
		return nil, fmt.Errorf("sqlite: claim deliveries: limit is %d; it must be positive", limit)
	}
	nowArg, err := timeArg(now)
	if err != nil || nowArg == nil {
		return nil, fmt.Errorf("sqlite: claim deliveries: now %v: %w", now, errOrZero(err))
	}
	until, err := timeArg(now.Add(lease))
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim deliveries: lease end: %w", err)
	}
	var claimed []store.Delivery
	err = s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, claimQuery, owner, until, nowArg, limit)
		if err != nil {
			return fmt.Errorf("sqlite: claim deliveries: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				return fmt.Errorf("sqlite: claim deliveries: %w", err)
			}
			claimed = append(claimed, d)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: claim deliveries: %w", err)
		}
		rows.Close()
		return fillMentions(ctx, tx, claimed)
	})
	if err != nil {
		return nil, err
	}
	// RETURNING promises no order.
	slices.SortFunc(claimed, func(a, b store.Delivery) int { return cmp.Compare(a.ID, b.ID) })
	return claimed, nil
}

// fillMentions gives claimed story deliveries and edits their
// subscription's role to ping: an edit keeps the mention in the message's
// text (Discord notifies only for new messages).
func fillMentions(ctx context.Context, tx *sql.Tx, claimed []store.Delivery) error {
	for i := range claimed {
		d := &claimed[i]
		if d.Kind == store.DeliverDigest || d.SubscriptionID == 0 {
			continue
		}
		err := tx.QueryRowContext(ctx, `SELECT mention_role FROM subscriptions WHERE id = ?`, d.SubscriptionID).Scan(&d.MentionRole)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: claim deliveries: read subscription %d's role to mention: %w", d.SubscriptionID, err)
		}
	}
	return nil
}

// deliveryState reads a delivery's state inside tx, or ErrNotFound.
func deliveryState(ctx context.Context, tx *sql.Tx, id int64) (state, messageID, channelID string, err error) {
	err = tx.QueryRowContext(ctx, `SELECT state, message_id, channel_id FROM deliveries WHERE id = ?`, id).
		Scan(&state, &messageID, &channelID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", "", fmt.Errorf("delivery %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return "", "", "", fmt.Errorf("sqlite: read delivery %d: %w", id, err)
	}
	return state, messageID, channelID, nil
}

// DeliverySent implements store.Briefings.
func (s *Store) DeliverySent(ctx context.Context, id int64, messageID string, at time.Time) error {
	if err := storeutil.CheckMessageID(id, messageID); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	atArg, err := timeArg(at)
	if err != nil {
		return fmt.Errorf("sqlite: delivery %d sent: %w", id, err)
	}
	return s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		state, stored, _, err := deliveryState(ctx, tx, id)
		if err != nil {
			return err
		}
		done, err := storeutil.SentAgain(id, state, stored, messageID)
		if err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		if done {
			return nil // reported again
		}
		// A pending row with a stored message was an edit; messageID may
		// be a new message posted because the old one was gone. A join
		// after the claim keeps the row due, as an edit of messageID.
		if _, err := tx.ExecContext(ctx, `
			UPDATE deliveries SET
			    state = CASE WHEN edit_rev > claimed_rev THEN 'pending' ELSE 'sent' END,
			    attempts = CASE WHEN edit_rev > claimed_rev THEN 0 ELSE attempts END,
			    message_id = ?, ended_at = ?, claimed_by = '', lease_until = NULL
			WHERE id = ?`, messageID, atArg, id); err != nil {
			return fmt.Errorf("sqlite: delivery %d sent: %w", id, err)
		}
		return nil
	})
}

// DeliveryRetry implements store.Briefings.
func (s *Store) DeliveryRetry(ctx context.Context, id int64, notBefore time.Time, reason string) error {
	nb, err := timeArg(notBefore)
	if err != nil {
		return fmt.Errorf("sqlite: retry delivery %d: %w", id, err)
	}
	return s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE deliveries SET not_before = ?, last_error = ?, claimed_by = '', lease_until = NULL
			WHERE id = ? AND state = 'pending'`, nb, reason, id)
		if err != nil {
			return fmt.Errorf("sqlite: retry delivery %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			// Ended already (left as it is), or never existed.
			_, _, _, err := deliveryState(ctx, tx, id)
			return err
		}
		return nil
	})
}

// DeliveryFailed implements store.Briefings.
func (s *Store) DeliveryFailed(ctx context.Context, id int64, reason string, at time.Time) error {
	return s.endDelivery(ctx, id, reason, at, true)
}

// DeliveryDropped implements store.Briefings.
func (s *Store) DeliveryDropped(ctx context.Context, id int64, reason string, at time.Time) error {
	return s.endDelivery(ctx, id, reason, at, false)
}

// endDelivery marks a pending delivery failed and, when pause is set,
// pauses every subscription in its channel.
func (s *Store) endDelivery(ctx context.Context, id int64, reason string, at time.Time, pause bool) error {
	atArg, err := timeArg(at)
	if err != nil {
		return fmt.Errorf("sqlite: delivery %d failed: %w", id, err)
	}
	if reason == "" {
		reason = storeutil.DefaultFailReason
	}
	return s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		state, messageID, channelID, err := deliveryState(ctx, tx, id)
		if err != nil {
			return err
		}
		switch {
		case state == "pending" && messageID != "":
			// An edit: give it up, the message stays as it was.
			if _, err := tx.ExecContext(ctx, `
				UPDATE deliveries SET state = 'sent', last_error = ?, claimed_by = '', lease_until = NULL
				WHERE id = ?`, reason, id); err != nil {
				return fmt.Errorf("sqlite: delivery %d's edit failed: %w", id, err)
			}
		case state == "pending":
			if _, err := tx.ExecContext(ctx, `
				UPDATE deliveries SET state = 'failed', last_error = ?, ended_at = ?, lease_until = NULL
				WHERE id = ?`, reason, atArg, id); err != nil {
				return fmt.Errorf("sqlite: delivery %d failed: %w", id, err)
			}
		}
		if !pause {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE subscriptions SET paused = 1, paused_reason = ?, paused_at = ?
			WHERE channel_id = ?`, reason, atArg, channelID); err != nil {
			return fmt.Errorf("sqlite: pause channel %s's subscriptions: %w", channelID, err)
		}
		return nil
	})
}

// ClaimInteraction implements store.Briefings.
func (s *Store) ClaimInteraction(ctx context.Context, id string, at time.Time) (bool, error) {
	if id == "" {
		return false, errors.New("sqlite: claim interaction: ID is empty")
	}
	atArg, err := timeArg(at)
	if err != nil || atArg == nil {
		return false, fmt.Errorf("sqlite: claim interaction %s: time %v: %w", id, at, errOrZero(err))
	}
	forget, err := timeArg(at.Add(-storeutil.InteractionMemory))
	if err != nil {
		return false, fmt.Errorf("sqlite: claim interaction %s: %w", id, err)
	}
	first := false
	err = s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO interactions (id, at) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, atArg)
		if err != nil {
			return fmt.Errorf("sqlite: claim interaction %s: %w", id, err)
		}
		n, _ := res.RowsAffected()
		first = n == 1
		if _, err := tx.ExecContext(ctx, `DELETE FROM interactions WHERE at < ?`, forget); err != nil {
			return fmt.Errorf("sqlite: forget old interactions: %w", err)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	return first, nil
}

// StoryMessage implements store.Briefings.
func (s *Store) StoryMessage(ctx context.Context, channelID string, storyID int64) (string, error) {
	var messageID string
	err := s.inRead(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `
			SELECT message_id FROM deliveries
			WHERE channel_id = ? AND story_id = ? AND message_id <> ''`, channelID, storyID).Scan(&messageID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("message of story %d in channel %s: %w", storyID, channelID, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("sqlite: read the message of story %d in channel %s: %w", storyID, channelID, err)
		}
		return nil
	})
	return messageID, err
}
