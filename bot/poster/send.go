package poster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/store"
)

// result tells postChannel what one delivery's outcome means for the
// channel's other claimed deliveries.
type result struct {
	stop    bool      // release them instead of sending
	retryAt time.Time // due again then
	reason  string
}

// deliver posts one claimed delivery and records what happened. Every path
// ends the claim: sent, released for a retry, or failed.
func (p *Poster) deliver(ctx context.Context, d store.Delivery, claimedAt time.Time) result {
	log := p.log.With(slog.Int64("delivery", d.ID), slog.String("channel", d.ChannelID),
		slog.String("kind", string(d.Kind)), slog.Int("attempt", d.Attempts))
	msgs, since, err := p.render(ctx, d)
	if err != nil {
		wait := storeRetry
		if errors.Is(err, store.ErrNotFound) {
			// Stories are never deleted, so this is a broken row: look
			// again later rather than pause the channel over it.
			wait = time.Hour
		}
		log.Error("poster: reading the delivery's stories failed", slog.Any("err", err))
		p.retry(d, p.o.Now().Add(wait), "could not read its stories: "+err.Error(), CauseStore)
		return result{}
	}

	if d.Kind == store.DeliverEdit {
		return p.deliverEdit(ctx, d, msgs[0], since, log)
	}

	// A digest that needs several messages sends each with its own nonce.
	// The store keeps one message ID per delivery: the first part's.
	var firstID string
	for i, m := range msgs {
		if i > 0 && (ctx.Err() != nil || p.o.Now().Sub(claimedAt) > p.o.Lease/2) {
			// Parts already posted are deduplicated by their nonces when
			// the delivery is picked up again.
			p.retry(d, p.o.Now(), "interrupted between digest parts", "")
			return result{stop: true, retryAt: p.o.Now(), reason: "a digest was interrupted"}
		}
		id, err := p.send(ctx, d, nonce(d.ID, i), m)
		var se *sendError
		if errors.As(err, &se) && se.kind == kindInvalid && d.Kind == store.DeliverStory {
			// Discord refused the rendering; a bare title and link is the
			// last thing worth trying before giving up on the story.
			if fb := p.minimal(ctx, d); fb != nil {
				log.Warn("poster: Discord rejected the message; sending a plain version", slog.String("reason", se.reason))
				fb.Reference = m.Reference
				id, err = p.send(ctx, d, nonce(d.ID, i), fb)
			}
		}
		if err != nil {
			return p.failed(d, err, log)
		}
		if i == 0 {
			firstID = id
		}
	}
	now := p.o.Now()
	p.noteSuccess(now)
	p.recordSent(d, firstID, now, log)
	if f := p.o.Counters.Posted; f != nil {
		f(d.Kind, max(now.Sub(since), 0))
	}
	return result{}
}

// deliverEdit edits the story's message in place to show the story as it
// is now (every outlet), with the same retries as a send. A message that
// is gone (deleted by a moderator) is posted anew, and the store then
// keeps the new message for later edits.
func (p *Poster) deliverEdit(ctx context.Context, d store.Delivery, m *discordgo.MessageSend, since time.Time, log *slog.Logger) result {
	id, err := p.edit(ctx, d, m)
	var se *sendError
	if errors.As(err, &se) && se.kind == kindInvalid {
		if fb := p.minimal(ctx, d); fb != nil {
			log.Warn("poster: Discord rejected the edit; sending a plain version", slog.String("reason", se.reason))
			id, err = p.edit(ctx, d, fb)
		}
	}
	if errors.As(err, &se) && se.kind == kindGone {
		log.Info("poster: the story's message is gone; posting it again", slog.String("message", d.MessageID))
		id, err = p.send(ctx, d, repostNonce(d.ID, d.MessageID), m)
	}
	if err != nil {
		return p.failed(d, err, log)
	}
	now := p.o.Now()
	p.noteSuccess(now)
	p.recordSent(d, id, now, log)
	if f := p.o.Counters.Posted; f != nil {
		f(d.Kind, max(now.Sub(since), 0))
	}
	return result{}
}

// failed records a send error's outcome.
func (p *Poster) failed(d store.Delivery, err error, log *slog.Logger) result {
	var se *sendError
	if !errors.As(err, &se) {
		se = &sendError{kind: kindTransient, cause: CauseNetwork, reason: err.Error(), err: err}
	}
	now := p.o.Now()
	switch se.kind {
	case kindRateLimited:
		at := now.Add(se.wait)
		log.Info("poster: rate limited by Discord", slog.Duration("retry_in", se.wait))
		p.retry(d, at, se.reason, se.cause)
		return result{stop: true, retryAt: at, reason: se.reason}
	case kindUnauthorized:
		at := now.Add(time.Minute)
		log.Error("poster: Discord rejected the bot token", slog.Any("err", se.err))
		p.retry(d, at, se.reason, se.cause)
		p.setFatal(ErrUnauthorized)
		return result{stop: true, retryAt: at, reason: se.reason}
	case kindPermanent:
		log.Warn("poster: Discord refused the channel for good; pausing its subscriptions",
			slog.String("reason", se.reason), slog.Any("err", se.err))
		p.fail(d, se.reason, se.cause, true, log)
		return result{stop: true, retryAt: now, reason: "the channel is paused: " + se.reason}
	case kindInvalid, kindGone:
		// The message, not the channel, is at fault: drop this one only.
		log.Warn("poster: Discord refused the message for good; dropping it",
			slog.String("reason", se.reason), slog.Any("err", se.err))
		p.fail(d, se.reason, se.cause, false, log)
		return result{}
	}
	if d.Attempts >= p.o.MaxAttempts && p.discordWorks(now) {
		reason := fmt.Sprintf("gave up after %d attempts: %s", d.Attempts, se.reason)
		log.Warn("poster: giving up on a delivery", slog.String("reason", reason), slog.Any("err", se.err))
		p.fail(d, reason, CauseGaveUp, false, log)
		return result{}
	}
	wait := backoff(d.Attempts)
	log.Warn("poster: sending failed; will retry with the same nonce",
		slog.String("reason", se.reason), slog.Duration("retry_in", wait), slog.Any("err", se.err))
	p.retry(d, now.Add(wait), se.reason, se.cause)
	return result{}
}

// retry releases the delivery, due again at at. cause "" counts nothing.
func (p *Poster) retry(d store.Delivery, at time.Time, reason, cause string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.o.Store.DeliveryRetry(ctx, d.ID, at, reason); err != nil {
		p.log.Warn("poster: releasing a delivery failed; its claim will expire instead",
			slog.Int64("delivery", d.ID), slog.String("channel", d.ChannelID), slog.Any("err", err))
	}
	p.noteRetry(at)
	if f := p.o.Counters.Retried; f != nil && cause != "" {
		f(cause)
	}
}

// fail ends the delivery for good. With pause, the store also pauses the
// channel's subscriptions (the channel is gone or closed to us); without,
// only this delivery is dropped (the message itself could not be sent).
func (p *Poster) fail(d store.Delivery, reason, cause string, pause bool, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	end := p.o.Store.DeliveryDropped
	if pause {
		end = p.o.Store.DeliveryFailed
	}
	if err := end(ctx, d.ID, reason, p.o.Now()); err != nil {
		log.Error("poster: recording a failed delivery failed; it will be tried again after its claim expires",
			slog.Any("err", err))
		return
	}
	if f := p.o.Counters.Failed; f != nil {
		f(cause)
	}
}

// recordSent stores the message ID, trying a few times: the message is
// posted, and losing the record only costs a nonce-deduplicated resend.
func (p *Poster) recordSent(d store.Delivery, messageID string, at time.Time, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var err error
	for try, pause := 1, 100*time.Millisecond; ; try, pause = try+1, pause*4 {
		if err = p.o.Store.DeliverySent(ctx, d.ID, messageID, at); err == nil {
			return
		}
		if try == 3 {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
	}
	log.Error("poster: the message was posted but recording it failed; when the claim expires the same nonce "+
		"is sent again and Discord answers with this message", slog.String("message", messageID), slog.Any("err", err))
}

// render builds the messages of a delivery and the time its latency counts
// from.
func (p *Poster) render(ctx context.Context, d store.Delivery) ([]*discordgo.MessageSend, time.Time, error) {
	switch d.Kind {
	case store.DeliverStory, store.DeliverEdit:
		if len(d.StoryIDs) != 1 {
			return nil, time.Time{}, fmt.Errorf("story delivery %d lists %d stories, want 1: %w", d.ID, len(d.StoryIDs), store.ErrNotFound)
		}
		st, err := p.o.Store.Story(ctx, d.StoryIDs[0])
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("story %d: %w", d.StoryIDs[0], err)
		}
		since := st.FirstSeen
		if d.Kind == store.DeliverEdit {
			since = st.Updated // an edit's latency counts from the join
		}
		m := bot.StoryMessage(p.briefing(st, d))
		if d.MentionRole != "" {
			// The role's ping; send lets it through and nothing else.
			m.Content = "<@&" + d.MentionRole + ">"
		}
		if d.Kind == store.DeliverStory && st.Follows != 0 {
			if m.Reference, err = p.replyTo(ctx, d.ChannelID, st.Follows); err != nil {
				return nil, time.Time{}, err
			}
		}
		return []*discordgo.MessageSend{m}, since, nil
	case store.DeliverDigest:
		var bs []storyBriefing
		for _, id := range d.StoryIDs {
			st, err := p.o.Store.Story(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				p.log.Error("poster: a digest lists a story that does not exist; leaving it out",
					slog.Int64("delivery", d.ID), slog.Int64("story", id))
				continue
			}
			if err != nil {
				return nil, time.Time{}, fmt.Errorf("story %d: %w", id, err)
			}
			bs = append(bs, storyBriefing{st, p.briefing(st, d)})
		}
		msgs := bot.DigestMessages(digestTitle(d.Topic), digestGroups(bs))
		if len(msgs) == 0 {
			return nil, time.Time{}, fmt.Errorf("digest delivery %d: none of its stories %v exist: %w", d.ID, d.StoryIDs, store.ErrNotFound)
		}
		return msgs, d.Slot, nil
	}
	return nil, time.Time{}, fmt.Errorf("delivery %d has unknown kind %q: %w", d.ID, d.Kind, store.ErrNotFound)
}

// replyTo is the reference that makes a story's message a reply to the
// message the channel got for the earlier story it follows (a later
// development of the same event), or nil when the channel got none.
// fail_if_not_exists is false: if that message was deleted, the story is
// posted as a plain message rather than refused.
func (p *Poster) replyTo(ctx context.Context, channelID string, storyID int64) (*discordgo.MessageReference, error) {
	id, err := p.o.Store.StoryMessage(ctx, channelID, storyID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the message of story %d it follows: %w", storyID, err)
	}
	failIfGone := false
	return &discordgo.MessageReference{MessageID: id, ChannelID: channelID, FailIfNotExists: &failIfGone}, nil
}

// minimal is a story's title and link alone, or nil if it cannot be read.
func (p *Poster) minimal(ctx context.Context, d store.Delivery) *discordgo.MessageSend {
	st, err := p.o.Store.Story(ctx, d.StoryIDs[0])
	if err != nil {
		return nil
	}
	st = p.visible(st, d)
	return bot.StoryMessage(bot.Briefing{Title: st.Headline, Link: st.Link, Topic: bot.TopicLabel(d.Topic)})
}

// visible is st as d's server may see it (bot.VisibleStory). A delivery
// is made for items its server may see, so some source is visible unless
// the server removed its own feed since; the story is then shown as it
// was decided for that server.
func (p *Poster) visible(st store.Story, d store.Delivery) store.Story {
	if p.o.SourceVisible != nil {
		st, _ = bot.VisibleStory(st, func(src string) bool { return p.o.SourceVisible(d.GuildID, src) })
	}
	return st
}

// briefing is how a stored story is shown for topic.
func (p *Poster) briefing(st store.Story, d store.Delivery) bot.Briefing {
	st = p.visible(st, d)
	topic := d.Topic
	b := bot.Briefing{
		Title:         st.Headline,
		OriginalTitle: bot.OriginalTitle(st),
		Link:          st.Link,
		Summary:       st.Summary,
		Subtopics:     st.Subtopics,
		Topic:         bot.TopicLabel(topic),
	}
	b.Published, b.Updated = bot.StoryTimes(st)
	for _, src := range st.Sources {
		name := src.Source
		if p.o.OutletName != nil {
			if n := p.o.OutletName(src.Source); n != "" {
				name = n
			}
		}
		b.Outlets = append(b.Outlets, bot.OutletLink{Name: name, Link: src.Link})
	}
	return b
}

// nonce identifies one message of a delivery to Discord: at most 25
// characters, the same on every attempt, so enforce_nonce turns a repeated
// send into the message already created.
func nonce(deliveryID int64, part int) string {
	n := "bb" + strconv.FormatInt(deliveryID, 36)
	if part > 0 {
		n += "-" + strconv.Itoa(part)
	}
	return n
}

// repostNonce identifies the new message that replaces a deleted one: not
// the original post's nonce (Discord could answer it with the deleted
// message), but the same on every attempt of this repost.
func repostNonce(deliveryID int64, oldMessageID string) string {
	h := fnv.New32a()
	h.Write([]byte(oldMessageID))
	return "bb" + strconv.FormatInt(deliveryID, 36) + "r" + strconv.FormatUint(uint64(h.Sum32()), 36)
}

// editBody is the edit-message payload: the whole message is replaced.
type editBody struct {
	Content         string                            `json:"content"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
}

// messageBody is the create-message payload. discordgo's MessageSend has no
// nonce fields, hence this type.
type messageBody struct {
	Content         string                            `json:"content,omitempty"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds,omitempty"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Nonce           string                            `json:"nonce"`
	EnforceNonce    bool                              `json:"enforce_nonce"`
	// MessageReference makes the message a reply (see replyTo).
	MessageReference *discordgo.MessageReference `json:"message_reference,omitempty"`
}

type errKind int

const (
	kindTransient   errKind = iota // retry with backoff, same nonce
	kindRateLimited                // retry after wait; nothing was created
	kindUnauthorized
	kindInvalid   // 400: this message, as rendered
	kindPermanent // the channel cannot be posted to
	kindGone      // the message to edit no longer exists
)

// sendError is a failed send, classified.
type sendError struct {
	kind   errKind
	wait   time.Duration // kindRateLimited
	cause  string
	reason string // in plain words, stored and shown by /subscriptions
	err    error
}

func (e *sendError) Error() string { return e.reason }
func (e *sendError) Unwrap() error { return e.err }

// send posts one message and returns its ID. It never sleeps on a rate
// limit and never lets discordgo retry: both would hold the claim, and a
// blind 5xx retry without the nonce could post twice.
func (p *Poster) send(ctx context.Context, d store.Delivery, nonce string, m *discordgo.MessageSend) (string, error) {
	if err := bot.CheckLimits(m); err != nil {
		// The renderer guarantees this; Discord has the last word anyway.
		p.log.Error("poster: rendered message breaks Discord's limits", slog.Int64("delivery", d.ID), slog.Any("err", err))
	}
	body, err := json.Marshal(messageBody{
		Content:          m.Content,
		Embeds:           m.Embeds,
		AllowedMentions:  bot.RoleMention(d.MentionRole), // whatever the renderer said
		Nonce:            nonce,
		EnforceNonce:     true,
		MessageReference: m.Reference,
	})
	if err != nil {
		return "", &sendError{kind: kindInvalid, cause: CauseRejected, reason: "the message could not be encoded", err: err}
	}
	return p.request(ctx, http.MethodPost, discordgo.EndpointChannelMessages(d.ChannelID), body)
}

// edit replaces the content of d's message with m and returns its ID.
// Editing is idempotent, so a retry after an unknown outcome is safe.
func (p *Poster) edit(ctx context.Context, d store.Delivery, m *discordgo.MessageSend) (string, error) {
	if err := bot.CheckLimits(m); err != nil {
		p.log.Error("poster: rendered message breaks Discord's limits", slog.Int64("delivery", d.ID), slog.Any("err", err))
	}
	body, err := json.Marshal(editBody{Content: m.Content, Embeds: m.Embeds, AllowedMentions: bot.NoMentions()})
	if err != nil {
		return "", &sendError{kind: kindInvalid, cause: CauseRejected, reason: "the message could not be encoded", err: err}
	}
	return p.request(ctx, http.MethodPatch, discordgo.EndpointChannelMessage(d.ChannelID, d.MessageID), body)
}

// request makes one message request (create or edit) and returns the
// message ID from the reply.
func (p *Poster) request(ctx context.Context, method, url string, body []byte) (string, error) {
	s := p.o.Session
	// The bucket is discordgo's own for this route, shared with any other
	// code posting to the channel. LockBucket would sleep out a limit while
	// holding our claim; instead, a limit releases the delivery until then.
	b := s.Ratelimiter.GetBucket(url)
	b.Lock()
	if wait := s.Ratelimiter.GetWaitTime(b, 1); wait > 0 {
		b.Unlock()
		return "", &sendError{kind: kindRateLimited, wait: wait, cause: CauseRateLimit,
			reason: "waiting for Discord's rate limit (" + wait.Round(time.Millisecond).String() + ")"}
	}
	b.Remaining--
	// Detached from ctx: a send in flight at shutdown finishes and is
	// recorded, within SendTimeout.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.o.SendTimeout)
	defer cancel()
	resp, err := s.RequestWithLockedBucket(method, url, "application/json", body, b, 0,
		discordgo.WithContext(sctx), discordgo.WithRetryOnRatelimit(false), discordgo.WithRestRetries(0))
	if err != nil {
		return "", classify(s, err, p.o.SendTimeout)
	}
	var msg struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(resp, &msg); err != nil || msg.ID == "" {
		// The message may exist; the same nonce will find it.
		return "", &sendError{kind: kindTransient, cause: CauseServerError,
			reason: "Discord's reply carried no message ID", err: fmt.Errorf("reply %.200q: %v", resp, err)}
	}
	return msg.ID, nil
}

// classify turns a discordgo error into what to do about it.
func classify(s *discordgo.Session, err error, timeout time.Duration) *sendError {
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		wait := rl.RetryAfter
		if s != nil {
			// A global limit (X-RateLimit-Global) was noted by the bucket.
			wait = max(wait, globalWait(s))
		}
		if wait <= 0 {
			wait = time.Second
		}
		return &sendError{kind: kindRateLimited, wait: wait, cause: CauseRateLimit, err: err,
			reason: "rate limited by Discord (retry after " + wait.Round(time.Millisecond).String() + ")"}
	}
	var rest *discordgo.RESTError
	if !errors.As(err, &rest) || rest.Response == nil {
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			return &sendError{kind: kindTransient, cause: CauseNetwork, err: err,
				reason: "Discord did not answer within " + timeout.String()}
		case strings.HasPrefix(err.Error(), "Exceeded Max retries HTTP"):
			// discordgo's wording for a 502 it was told not to retry.
			return &sendError{kind: kindTransient, cause: CauseServerError, err: err,
				reason: "Discord answered 502 Bad Gateway"}
		}
		return &sendError{kind: kindTransient, cause: CauseNetwork, err: err,
			reason: "could not reach Discord: " + err.Error()}
	}
	status := rest.Response.StatusCode
	code, msg := 0, ""
	if rest.Message != nil {
		code, msg = rest.Message.Code, rest.Message.Message
	}
	said := fmt.Sprintf("HTTP %d", status)
	if msg != "" {
		said = fmt.Sprintf("%s, code %d", msg, code)
	}
	e := &sendError{err: err}
	switch {
	case status >= 500:
		e.kind, e.cause, e.reason = kindTransient, CauseServerError, "Discord answered "+rest.Response.Status
	case status == http.StatusUnauthorized:
		e.kind, e.cause, e.reason = kindUnauthorized, CauseUnauthorized, "Discord rejected the bot token (401)"
	case code == discordgo.ErrCodeUnknownMessage:
		// Only an edit names a message: it was deleted.
		e.kind, e.cause, e.reason = kindGone, CauseRejected, "the message was deleted (Unknown Message)"
	case code == discordgo.ErrCodeUnknownChannel:
		e.kind, e.cause, e.reason = kindPermanent, CauseUnknownChannel,
			"the channel no longer exists, or the bot was removed from it (Unknown Channel)"
	case code == discordgo.ErrCodeMissingAccess:
		e.kind, e.cause, e.reason = kindPermanent, CauseMissingAccess,
			"the bot cannot see this channel (Missing Access): give it View Channel"
	case code == discordgo.ErrCodeMissingPermissions:
		e.kind, e.cause, e.reason = kindPermanent, CauseMissingPerms,
			"the bot may not post here (Missing Permissions): give it Send Messages and Embed Links"
	case status == http.StatusBadRequest:
		e.kind, e.cause, e.reason = kindInvalid, CauseRejected, "Discord rejected the message as invalid ("+said+")"
	case code == 0 || status == http.StatusRequestTimeout || status == http.StatusConflict || status == http.StatusTooEarly:
		// Not an answer from Discord's API (which always sends a code):
		// a proxy or a hiccup, worth another try.
		e.kind, e.cause, e.reason = kindTransient, CauseServerError, "Discord answered "+rest.Response.Status
	default:
		e.kind, e.cause, e.reason = kindPermanent, CauseRejected, "Discord refused to let the bot post here ("+said+")"
	}
	return e
}

// globalWait is how long Discord's global rate limit still holds, as
// discordgo's rate limiter recorded it from X-RateLimit-Global responses.
func globalWait(s *discordgo.Session) time.Duration {
	if s == nil || s.Ratelimiter == nil {
		return 0
	}
	// A fresh bucket has no limit of its own, so only the global one counts.
	return s.Ratelimiter.GetWaitTime(&discordgo.Bucket{Remaining: 1}, 1)
}
