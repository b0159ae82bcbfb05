package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/internal/storeutil"
)

const deliveryColumns = `d.id, d.kind, d.subscription_id, d.guild_id, d.channel_id, d.topic, d.story_ids, d.slot,
	d.attempts, d.not_before, d.last_error, d.created, d.message_id`

func scanDelivery(row pgx.Row) (store.Delivery, error) {
	var (
		d             store.Delivery
		kind          string
		subID         *int64
		slot, created pgtype.Timestamptz
		notBefore     *int64
	)
	err := row.Scan(&d.ID, &kind, &subID, &d.GuildID, &d.ChannelID, &d.Topic, &d.StoryIDs, &slot,
		&d.Attempts, &notBefore, &d.LastError, &created, &d.MessageID)
	if err != nil {
		return d, err
	}
	d.Kind = store.DeliveryKind(kind)
	if d.Kind == store.DeliverStory && d.MessageID != "" {
		// Pending with a message: the story changed after it was sent.
		d.Kind = store.DeliverEdit
	}
	if subID != nil {
		d.SubscriptionID = *subID
	}
	d.Slot, d.NotBefore, d.Created = fromTS(slot), fromNS(notBefore), fromTS(created)
	return d, nil
}

// claimQuery leases due deliveries in one statement. FOR UPDATE SKIP LOCKED
// makes concurrent claimers, in this process or another instance, pass over
// the rows another is claiming instead of waiting for them; a row another
// claimer has just committed is rechecked against the WHERE (READ
// COMMITTED's re-evaluation) and, now leased, left out. A lease ends at
// lease_until, so an expired one is simply due again. claimed_rev notes
// which joins this claim's render will include (see migration 0003).
const claimQuery = `
	WITH due AS (
	    SELECT d.id FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
	    WHERE d.state = 'pending'
	      AND (d.not_before IS NULL OR d.not_before <= $3)
	      AND (d.lease_until IS NULL OR d.lease_until <= $3)
	      AND NOT s.paused
	    ORDER BY d.id
	    LIMIT $4
	    FOR UPDATE OF d SKIP LOCKED)
	UPDATE deliveries d SET claimed_by = $1, lease_until = $2, attempts = d.attempts + 1,
	    claimed_rev = d.edit_rev
	FROM due WHERE d.id = due.id
	RETURNING ` + deliveryColumns

// ClaimDeliveries implements store.Briefings.
func (s *Store) ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]store.Delivery, error) {
	switch {
	case owner == "":
		return nil, errors.New("postgres: claim deliveries: owner is empty; name the claiming instance")
	case lease <= 0:
		return nil, fmt.Errorf("postgres: claim deliveries: lease is %v; it must be positive", lease)
	case limit <= 0:
		return nil, fmt.Errorf("postgres: claim deliveries: limit is %d; it must be positive", limit)
	}
	nowArg, err := nsArg(now)
	if err != nil || nowArg == nil {
		return nil, fmt.Errorf("postgres: claim deliveries: now %v: %w", now, errOrZero(err))
	}
	until, err := nsArg(now.Add(lease))
	if err != nil {
		return nil, fmt.Errorf("postgres: claim deliveries: lease end: %w", err)
	}
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	rows, err := s.pool.Query(ctx, claimQuery, clean(owner), until, nowArg, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: claim deliveries: %w", err)
	}
	claimed, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Delivery, error) { return scanDelivery(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: claim deliveries: %w", err)
	}
	if err := s.fillMentions(ctx, claimed); err != nil {
		return nil, err
	}
	// RETURNING promises no order.
	slices.SortFunc(claimed, func(a, b store.Delivery) int { return cmp.Compare(a.ID, b.ID) })
	return claimed, nil
}

// fillMentions gives claimed story deliveries and edits their
// subscription's role to ping: an edit keeps the mention in the message's
// text (Discord notifies only for new messages).
func (s *Store) fillMentions(ctx context.Context, claimed []store.Delivery) error {
	var ids []int64
	for _, d := range claimed {
		if d.Kind != store.DeliverDigest && d.SubscriptionID != 0 {
			ids = append(ids, d.SubscriptionID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := s.pool.Query(ctx, `SELECT id, mention_role FROM subscriptions WHERE id = ANY ($1) AND mention_role <> ''`, ids)
	if err != nil {
		return fmt.Errorf("postgres: claim deliveries: read the roles to mention: %w", err)
	}
	roles := map[int64]string{}
	var (
		id   int64
		role string
	)
	if _, err := pgx.ForEachRow(rows, []any{&id, &role}, func() error { roles[id] = role; return nil }); err != nil {
		return fmt.Errorf("postgres: claim deliveries: read the roles to mention: %w", err)
	}
	for i := range claimed {
		if claimed[i].Kind != store.DeliverDigest {
			claimed[i].MentionRole = roles[claimed[i].SubscriptionID]
		}
	}
	return nil
}

// deliveryState reads and locks a delivery inside tx, or ErrNotFound.
func deliveryState(ctx context.Context, tx pgx.Tx, id int64) (state, messageID, channelID string, err error) {
	err = tx.QueryRow(ctx, `SELECT state, message_id, channel_id FROM deliveries WHERE id = $1 FOR UPDATE`, id).
		Scan(&state, &messageID, &channelID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", "", fmt.Errorf("delivery %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return "", "", "", fmt.Errorf("postgres: read delivery %d: %w", id, err)
	}
	return state, messageID, channelID, nil
}

// DeliverySent implements store.Briefings.
func (s *Store) DeliverySent(ctx context.Context, id int64, messageID string, at time.Time) error {
	if err := storeutil.CheckMessageID(id, messageID); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	messageID = clean(messageID)
	return s.inTx(ctx, func(tx pgx.Tx) error {
		state, stored, _, err := deliveryState(ctx, tx, id)
		if err != nil {
			return err
		}
		done, err := storeutil.SentAgain(id, state, stored, messageID)
		if err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		if done {
			return nil // reported again
		}
		// A pending row with a stored message was an edit; messageID may
		// be a new message posted because the old one was gone. A join
		// after the claim keeps the row due, as an edit of messageID.
		if _, err := tx.Exec(ctx, `
			UPDATE deliveries SET
			    state = CASE WHEN edit_rev > claimed_rev THEN 'pending' ELSE 'sent' END,
			    attempts = CASE WHEN edit_rev > claimed_rev THEN 0 ELSE attempts END,
			    message_id = $1, ended_at = $2, claimed_by = '', lease_until = NULL
			WHERE id = $3`, messageID, ts(at), id); err != nil {
			return fmt.Errorf("postgres: delivery %d sent: %w", id, err)
		}
		return nil
	})
}

// DeliveryRetry implements store.Briefings.
func (s *Store) DeliveryRetry(ctx context.Context, id int64, notBefore time.Time, reason string) error {
	nb, err := nsArg(notBefore)
	if err != nil {
		return fmt.Errorf("postgres: retry delivery %d: %w", id, err)
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE deliveries SET not_before = $1, last_error = $2, claimed_by = '', lease_until = NULL
			WHERE id = $3 AND state = 'pending'`, nb, clean(reason), id)
		if err != nil {
			return fmt.Errorf("postgres: retry delivery %d: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
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
	if reason == "" {
		reason = storeutil.DefaultFailReason
	}
	reason = clean(reason)
	return s.inTx(ctx, func(tx pgx.Tx) error {
		state, messageID, channelID, err := deliveryState(ctx, tx, id)
		if err != nil {
			return err
		}
		switch {
		case state == "pending" && messageID != "":
			// An edit: give it up, the message stays as it was.
			if _, err := tx.Exec(ctx, `
				UPDATE deliveries SET state = 'sent', last_error = $1, claimed_by = '', lease_until = NULL
				WHERE id = $2`, reason, id); err != nil {
				return fmt.Errorf("postgres: delivery %d's edit failed: %w", id, err)
			}
		case state == "pending":
			if _, err := tx.Exec(ctx, `
				UPDATE deliveries SET state = 'failed', last_error = $1, ended_at = $2, lease_until = NULL
				WHERE id = $3`, reason, ts(at), id); err != nil {
				return fmt.Errorf("postgres: delivery %d failed: %w", id, err)
			}
		}
		if !pause {
			return nil
		}
		if _, err := tx.Exec(ctx, `
			UPDATE subscriptions SET paused = true, paused_reason = $1, paused_at = $2
			WHERE channel_id = $3`, reason, ts(at), channelID); err != nil {
			return fmt.Errorf("postgres: pause channel %s's subscriptions: %w", channelID, err)
		}
		return nil
	})
}

// ClaimInteraction implements store.Briefings.
func (s *Store) ClaimInteraction(ctx context.Context, id string, at time.Time) (bool, error) {
	if id == "" {
		return false, errors.New("postgres: claim interaction: ID is empty")
	}
	if at.IsZero() {
		return false, fmt.Errorf("postgres: claim interaction %s: time is zero", id)
	}
	first := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// The primary key decides: a concurrent insert of the same ID waits
		// for this one, then does nothing.
		tag, err := tx.Exec(ctx, `INSERT INTO interactions (id, at) VALUES ($1, $2) ON CONFLICT DO NOTHING`, clean(id), ts(at))
		if err != nil {
			return fmt.Errorf("postgres: claim interaction %s: %w", id, err)
		}
		first = tag.RowsAffected() == 1
		if _, err := tx.Exec(ctx, `DELETE FROM interactions WHERE at < $1`, ts(at.Add(-storeutil.InteractionMemory))); err != nil {
			return fmt.Errorf("postgres: forget old interactions: %w", err)
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
	if err := s.enter(); err != nil {
		return "", err
	}
	defer s.mu.RUnlock()
	var messageID string
	err := s.pool.QueryRow(ctx, `
		SELECT message_id FROM deliveries
		WHERE channel_id = $1 AND story_id = $2 AND message_id <> ''`, clean(channelID), storyID).Scan(&messageID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("message of story %d in channel %s: %w", storyID, channelID, store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("postgres: read the message of story %d in channel %s: %w", storyID, channelID, err)
	}
	return messageID, nil
}
